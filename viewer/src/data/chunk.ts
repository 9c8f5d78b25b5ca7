// A chunk as the viewer holds it: the Arrow record batch of docs/chunk-arrow-layout.md,
// decoded by apache-arrow, with its columns kept as the typed arrays apache-arrow exposes
// (views into the received bytes, never copied row by row).
import { tableFromIPC, Type, type Data, type DataType, type Field } from 'apache-arrow';

export type TimeType = 'sequence' | 'duration' | 'timestamp';

export interface TimeColumn {
  readonly name: string;
  readonly type: TimeType;
  /** One time per row (nanoseconds for durations and timestamps). */
  readonly values: BigInt64Array;
  /** Rows are in non-decreasing time order. */
  readonly sorted: boolean;
  readonly min: bigint;
  readonly max: bigint;
}

export interface ComponentColumn {
  /** `Archetype:field`, the column's name within its entity. */
  readonly name: string;
  readonly archetype: string;
  readonly field: string;
  readonly componentType: string;
  /** The list column: row i holds the batch logged at row i, or null. */
  readonly list: Data;
  /** numRows + 1 offsets into `instances` (logical instance indices). */
  readonly offsets: Int32Array;
  /** The instances of every row, one Arrow array (the list's child). */
  readonly instances: Data;
  readonly validity: Uint8Array | null;
  readonly validityOffset: number;
}

export interface Chunk {
  /** 32 lowercase hex digits. */
  readonly id: string;
  readonly entity: string;
  readonly isStatic: boolean;
  readonly numRows: number;
  /** 16 bytes per row, big-endian (time_ns << 64 | inc): byte order is RowId order. */
  readonly rowIds: Uint8Array;
  readonly rowIdsSorted: boolean;
  readonly times: ReadonlyMap<string, TimeColumn>;
  readonly components: ReadonlyMap<string, ComponentColumn>;
  /** Bytes of the Arrow payload the chunk was decoded from. */
  readonly byteLength: number;
  /** The buffer the payload lies in (shared by the columns that view it). */
  readonly buffer: ArrayBufferLike;
}

export class ChunkDecodeError extends Error {}

/** True when row `row` of the component was logged (the list entry is not null). */
export function isLogged(col: ComponentColumn, row: number): boolean {
  if (!col.validity) return true;
  const bit = col.validityOffset + row;
  return (col.validity[bit >> 3] & (1 << (bit & 7))) !== 0;
}

/** Number of instances logged in a row (0 for a null row). */
export function instanceCount(col: ComponentColumn, row: number): number {
  return col.offsets[row + 1] - col.offsets[row];
}

/** Compares row `a` of `ida` with row `b` of `idb` as 128-bit RowIds. */
export function compareRowIds(ida: Uint8Array, a: number, idb: Uint8Array, b: number): number {
  const oa = a * 16;
  const ob = b * 16;
  for (let k = 0; k < 16; k++) {
    const d = ida[oa + k] - idb[ob + k];
    if (d !== 0) return d;
  }
  return 0;
}

export function rowIdHex(ids: Uint8Array, row: number): string {
  let s = '';
  for (let k = row * 16; k < row * 16 + 16; k++) s += ids[k].toString(16).padStart(2, '0');
  return s;
}

function timeStats(values: BigInt64Array, sortedHint: boolean): { sorted: boolean; min: bigint; max: bigint } {
  const n = values.length;
  if (n === 0) return { sorted: true, min: 0n, max: 0n };
  if (sortedHint) return { sorted: true, min: values[0], max: values[n - 1] };
  let min = values[0];
  let max = values[0];
  let sorted = true;
  for (let i = 1; i < n; i++) {
    const v = values[i];
    if (v < values[i - 1]) sorted = false;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { sorted, min, max };
}

function fail(entity: string, what: string): never {
  throw new ChunkDecodeError(`chunk of ${entity || '?'}: ${what}`);
}

/**
 * Decodes one chunk from an Arrow IPC stream (schema, one record batch, end marker).
 * `ipc` should start at an 8-byte aligned offset so apache-arrow can view its buffers
 * in place (otherwise it copies them).
 */
export function decodeChunk(ipc: Uint8Array): Chunk {
  const table = tableFromIPC(ipc);
  const meta = table.schema.metadata;
  const entity = meta.get('reel.entity_path') ?? '';
  const id = meta.get('reel.chunk_id') ?? '';
  if (!entity) fail(entity, 'no reel.entity_path in the schema metadata');
  if (!/^[0-9a-f]{32}$/.test(id)) fail(entity, `bad reel.chunk_id "${id}"`);
  if (table.batches.length !== 1) fail(entity, `${table.batches.length} record batches, expected 1`);
  const batch = table.batches[0];
  const numRows = batch.numRows;
  const fields: Field[] = table.schema.fields;
  const columns: Data[] = batch.data.children;

  let rowIds: Uint8Array | null = null;
  const times = new Map<string, TimeColumn>();
  const components = new Map<string, ComponentColumn>();
  fields.forEach((field, i) => {
    const data = columns[i];
    const kind = field.metadata.get('reel.kind');
    if (kind === 'row_id') {
      if (field.type.typeId !== Type.FixedSizeBinary || (field.type as DataType & { byteWidth: number }).byteWidth !== 16) {
        fail(entity, 'reel.row_id is not fixed_size_binary(16)');
      }
      rowIds = (data.values as Uint8Array).subarray(0, numRows * 16);
    } else if (kind === 'time') {
      if (field.type.typeId !== Type.Int || (field.type as DataType & { bitWidth: number }).bitWidth !== 64) {
        fail(entity, `time column ${field.name} is not int64`);
      }
      const type = (field.metadata.get('reel.time_type') ?? 'sequence') as TimeType;
      if (type !== 'sequence' && type !== 'duration' && type !== 'timestamp') {
        fail(entity, `time column ${field.name}: unknown reel.time_type ${type}`);
      }
      const values = (data.values as BigInt64Array).subarray(0, numRows);
      const stats = timeStats(values, field.metadata.get('reel.is_sorted') === 'true');
      times.set(field.name, { name: field.name, type, values, ...stats });
    } else if (kind === 'component') {
      if (field.type.typeId !== Type.List) fail(entity, `component ${field.name} is not a list`);
      const offsets = (data.valueOffsets as Int32Array).subarray(0, numRows + 1);
      const hasNulls = data.nullCount > 0 && !!data.nullBitmap && data.nullBitmap.length > 0;
      components.set(field.name, {
        name: field.name,
        archetype: field.metadata.get('reel.archetype') ?? '',
        field: field.metadata.get('reel.archetype_field') ?? '',
        componentType: field.metadata.get('reel.component_type') ?? '',
        list: data,
        offsets,
        instances: data.children[0],
        validity: hasNulls ? data.nullBitmap! : null,
        validityOffset: data.offset,
      });
    }
  });
  if (!rowIds) fail(entity, 'no reel.row_id column');
  return {
    id,
    entity,
    isStatic: times.size === 0,
    numRows,
    rowIds,
    rowIdsSorted: meta.get('reel.is_sorted') === 'true',
    times,
    components,
    byteLength: ipc.byteLength,
    buffer: ipc.buffer,
  };
}

export const enum FrameKind {
  ChunkAdded = 1,
  QueryResult = 2,
}

export interface ChunkFrame {
  kind: number;
  requestId: number;
  chunk: Chunk;
}

/**
 * Decodes a WebSocket binary frame (docs/viewer-protocol.md): kind byte, u32 LE request id,
 * then the Arrow IPC stream. The payload is copied once into its own buffer so that every
 * column is 8-byte aligned and apache-arrow views it without further copies.
 */
export function decodeFrame(frame: ArrayBuffer | Uint8Array): ChunkFrame {
  const bytes = frame instanceof Uint8Array ? frame : new Uint8Array(frame);
  if (bytes.byteLength < 5) throw new ChunkDecodeError(`binary frame of ${bytes.byteLength} bytes`);
  const kind = bytes[0];
  const requestId = new DataView(bytes.buffer, bytes.byteOffset + 1, 4).getUint32(0, true);
  const payload = bytes.slice(5);
  return { kind, requestId, chunk: decodeChunk(payload) };
}
