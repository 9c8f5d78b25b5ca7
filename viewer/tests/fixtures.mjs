// Builds chunk payloads in the layout of docs/chunk-arrow-layout.md with apache-arrow, for
// the viewer's unit tests and the development mock server (the real writer's output is
// checked against the interop fixtures in unit/decode.test.ts).
import {
  Field,
  FixedSizeBinary,
  Float32,
  Float64,
  FixedSizeList,
  Int64,
  List,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  Uint8,
  Uint16,
  Uint32,
  Utf8,
  Binary,
  vectorFromArray,
} from 'apache-arrow';

const f32 = () => new Float32();
const fsl = (n, t = f32()) => new FixedSizeList(n, new Field('item', t, false));

/** Component name -> [component type name, Arrow type] (docs/components.md). */
export const kComponents = {
  'Scalars:scalars': ['Scalar', new Float64()],
  'SeriesLines:colors': ['Color', new Uint32()],
  'SeriesLines:names': ['Name', new Utf8()],
  'Points3D:positions': ['Position3D', fsl(3)],
  'Points3D:colors': ['Color', new Uint32()],
  'Points3D:radii': ['Radius', f32()],
  'Boxes3D:half_sizes': ['HalfSize3D', fsl(3)],
  'Boxes3D:centers': ['Position3D', fsl(3)],
  'Boxes3D:colors': ['Color', new Uint32()],
  'LineStrips3D:strips': ['LineStrip3D', new List(new Field('item', fsl(3), false))],
  'LineStrips3D:colors': ['Color', new Uint32()],
  'Arrows3D:vectors': ['Vector3D', fsl(3)],
  'Arrows3D:colors': ['Color', new Uint32()],
  'Transform3D:translation': ['Translation3D', fsl(3)],
  'Transform3D:quaternion': ['RotationQuat', fsl(4)],
  'ViewCoordinates:xyz': ['ViewCoordinates', fsl(3, new Uint8())],
  'Image:buffer': ['ImageBuffer', new Binary()],
  'Image:format': [
    'ImageFormat',
    new Struct([
      new Field('width', new Uint32(), false),
      new Field('height', new Uint32(), false),
      new Field('color_model', new Uint8(), false),
      new Field('channel_datatype', new Uint8(), false),
    ]),
  ],
  'EncodedImage:blob': ['Blob', new Binary()],
  'EncodedImage:media_type': ['MediaType', new Utf8()],
  'TextLog:text': ['Text', new Utf8()],
  'TextLog:level': ['TextLogLevel', new Utf8()],
  'TextDocument:text': ['Text', new Utf8()],
  'TextDocument:media_type': ['MediaType', new Utf8()],
  'Points2D:positions': ['Position2D', fsl(2)],
  'Boxes2D:half_sizes': ['HalfSize2D', fsl(2)],
  'Pinhole:image_from_camera': ['PinholeProjection', fsl(9)],
  'GraphNodes:node_ids': ['GraphNode', new Utf8()],
  'AnnotationContext:context': [
    'AnnotationInfo',
    new Struct([
      new Field('class_id', new Uint16(), false),
      new Field('label', new Utf8(), true),
      new Field('color', new Uint32(), true),
    ]),
  ],
  speed: ['', new Float64()],
};

/**
 * RowIds for tests: [time_ns, inc].
 * @param {number} t
 * @returns {[bigint, bigint]}
 */
export function rid(t, inc = 0) {
  return [BigInt(t), BigInt(inc)];
}

let nextChunk = 1n;

/**
 * @param {string} entity
 * @param {Record<string, 'sequence'|'duration'|'timestamp'>} timelines
 * @param {string[]} components names from kComponents
 * @param {{id: [bigint, bigint], times?: Record<string, bigint>, cells: Record<string, unknown[] | null | undefined>}[]} rows
 * @param {{sorted?: boolean, chunkId?: string}} [opts] (chunkId: 32 hex digits; default a new one)
 * @returns {Uint8Array} the Arrow IPC stream of the chunk
 */
export function buildChunkPayload(entity, timelines, components, rows, opts = {}) {
  const n = rows.length;
  const ids = new Uint8Array(n * 16);
  const view = new DataView(ids.buffer);
  rows.forEach((r, i) => {
    view.setBigUint64(i * 16, r.id[0], false);
    view.setBigUint64(i * 16 + 8, r.id[1], false);
  });
  const fields = [new Field('reel.row_id', new FixedSizeBinary(16), false, new Map([['reel.kind', 'row_id']]))];
  const datas = [makeData({ type: new FixedSizeBinary(16), length: n, nullCount: 0, data: ids })];
  for (const name of Object.keys(timelines).sort()) {
    const values = BigInt64Array.from(rows, (r) => r.times[name]);
    const sorted = values.every((v, i) => i === 0 || values[i - 1] <= v);
    fields.push(
      new Field(name, new Int64(), false, new Map([
        ['reel.kind', 'time'],
        ['reel.time_type', timelines[name]],
        ['reel.is_sorted', String(sorted)],
      ])),
    );
    datas.push(makeData({ type: new Int64(), length: n, nullCount: 0, data: values }));
  }
  for (const name of components) {
    const [componentType, type] = kComponents[name];
    const listType = new List(new Field('item', type, true));
    const cells = rows.map((r) => r.cells[name] ?? null);
    const vector = vectorFromArray(cells, listType);
    // A name without an archetype (AnyValues) is its field.
    const [archetype, field] = name.includes(':') ? name.split(':') : ['', name];
    fields.push(
      new Field(name, listType, true, new Map([
        ['reel.kind', 'component'],
        ['reel.archetype', archetype],
        ['reel.archetype_field', field],
        ['reel.component_type', `reel.components.${componentType}`],
      ])),
    );
    datas.push(vector.data[0]);
  }
  const chunkId = opts.chunkId ?? (nextChunk++).toString(16).padStart(32, '0');
  const schema = new Schema(fields, new Map([
    ['reel.version', '1'],
    ['reel.entity_path', entity],
    ['reel.chunk_id', chunkId],
    ['reel.is_sorted', String(opts.sorted ?? true)],
  ]));
  const batch = new RecordBatch(schema, makeData({ type: new Struct(fields), length: n, nullCount: 0, children: datas }));
  return tableToIPC(new Table([batch]), 'stream');
}

/** A WebSocket binary frame: kind, u32 LE request id, payload. */
export function frame(kind, requestId, payload) {
  const out = new Uint8Array(payload.byteLength + 5);
  out[0] = kind;
  new DataView(out.buffer).setUint32(1, requestId, true);
  out.set(payload, 5);
  return out;
}
