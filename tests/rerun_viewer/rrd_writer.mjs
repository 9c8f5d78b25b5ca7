// An independent .rrd writer for tests: hand-written protobuf, apache-arrow for JavaScript for
// the Arrow IPC chunk payloads, no compression. It shares no code with reel, so the Rerun
// viewer opening what it writes checks the layout facts (docs/rrd-format.md), not reel.
import * as arrow from "apache-arrow";

// --- protobuf wire format -------------------------------------------------------------
function varint(value) {
  let v = BigInt(value);
  const out = [];
  while (v >= 0x80n) {
    out.push(Number((v & 0x7fn) | 0x80n));
    v >>= 7n;
  }
  out.push(Number(v));
  return Uint8Array.from(out);
}
function concat(parts) {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const tag = (field, wire) => varint((field << 3) | wire);
const fieldVarint = (field, v) => concat([tag(field, 0), varint(v)]);
const fieldBytes = (field, bytes) => concat([tag(field, 2), varint(bytes.length), bytes]);
const fieldString = (field, s) => fieldBytes(field, new TextEncoder().encode(s));
function fieldFixed64(field, v) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return concat([tag(field, 1), b]);
}

// rerun.common.v1alpha1
const tuid = (t) => concat([fieldFixed64(1, t.time_ns), fieldFixed64(2, t.inc)]);
const storeId = (s) =>
  concat([
    fieldVarint(1, s.kind === "blueprint" ? 2 : 1),
    fieldString(2, s.recording_id),
    fieldBytes(3, fieldString(1, s.application_id)),
  ]);

// rerun.log_msg.v1alpha1
export function setStoreInfo(store, rowId, version = [0, 33, 0, 0]) {
  const bits = new DataView(Uint8Array.from(version).buffer).getInt32(0, true);
  const info = concat([
    fieldBytes(2, storeId(store)),
    // StoreSource{kind: OTHER (6), extra: {payload: text}}
    fieldBytes(5, concat([fieldVarint(1, 6), fieldBytes(2, fieldString(1, "rrd_writer.mjs"))])),
    fieldBytes(6, fieldVarint(1, bits >>> 0)),
  ]);
  return concat([fieldBytes(1, tuid(rowId)), fieldBytes(2, info)]);
}
export function arrowMsg(store, ipc, chunkId, isStatic) {
  return concat([
    fieldBytes(1, storeId(store)),
    fieldVarint(2, 1), // COMPRESSION_NONE
    fieldVarint(3, ipc.length), // uncompressed_size
    fieldVarint(4, 1), // ENCODING_ARROW_IPC
    fieldBytes(5, ipc),
    fieldBytes(6, tuid(chunkId)),
    fieldVarint(7, isStatic ? 1 : 0),
  ]);
}

// --- framing ------------------------------------------------------------------------
function u64le(v) {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(v), true);
  return b;
}
export function streamHeader(version = [0, 33, 0, 0]) {
  return Uint8Array.from([0x52, 0x52, 0x46, 0x32, ...version, 0, 2, 0, 0]);
}
export const message = (kind, body) => concat([u64le(kind), u64le(body.length), body]);

// --- chunks ---------------------------------------------------------------------------
let counter = 1n;
export function nextTuid() {
  // Rerun's TUIDs: nanoseconds since the epoch and a counter; monotonically increasing here.
  const t = { time_ns: 1700000000000000000n + counter * 1000n, inc: counter };
  counter += 1n;
  return t;
}
export const tuidBytes = (t) => {
  const b = new Uint8Array(16);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, t.time_ns, false); // big-endian, as Rerun lays out TUIDs
  v.setBigUint64(8, t.inc, false);
  return b;
};
export const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

export const rowIdField = () =>
  new arrow.Field("rerun.controls.RowId", new arrow.FixedSizeBinary(16), false,
    new Map([
      ["rerun:kind", "control"],
      ["ARROW:extension:name", "rerun.datatypes.TUID"],
      ["ARROW:extension:metadata", '{"namespace":"row"}'],
      ["rerun:is_sorted", "true"],
    ]));
export const indexField = (name) =>
  new arrow.Field(name, new arrow.Int64(), true,
    new Map([
      ["rerun:kind", "index"],
      ["rerun:index_name", name],
      ["rerun:is_sorted", "true"],
    ]));
export const componentField = (archetype, field, componentType, type) =>
  new arrow.Field(`${archetype}:${field}`, type, true,
    new Map([
      ["rerun:kind", "data"],
      ["rerun:component", `${archetype}:${field}`],
      ["rerun:archetype", `rerun.archetypes.${archetype}`],
      ["rerun:component_type", `rerun.components.${componentType}`],
    ]));

// One chunk's Arrow IPC stream: `rows` rows, one per timeline value, each with one list cell.
function chunkIpc(entityPath, timeline, times, component, cellData, offsets) {
  const rows = times.length;
  const chunkId = nextTuid();
  const rowIds = new Uint8Array(16 * rows);
  for (let i = 0; i < rows; ++i) rowIds.set(tuidBytes(nextTuid()), 16 * i);
  const listType = new arrow.List(new arrow.Field("item", cellData.type, true));
  const fields = [rowIdField(), indexField(timeline), componentField(...component, listType)];
  const schema = new arrow.Schema(fields, new Map([
    ["sorbet:version", "0.1.3"],
    ["rerun:id", "chunk_" + hex(tuidBytes(chunkId))],
    ["rerun:entity_path", entityPath],
  ]));
  const columns = [
    arrow.makeData({ type: fields[0].type, length: rows, data: rowIds }),
    arrow.makeData({ type: fields[1].type, length: rows, data: BigInt64Array.from(times, BigInt) }),
    arrow.makeData({ type: listType, length: rows, valueOffsets: Int32Array.from(offsets), child: cellData }),
  ];
  const batch = new arrow.RecordBatch(schema,
    arrow.makeData({ type: new arrow.Struct(fields), length: rows, children: columns }));
  return { ipc: arrow.tableToIPC(new arrow.Table(schema, [batch]), "stream"), chunkId };
}

// A recording: a Scalars series (a sine) and a Points3D cloud on the "step" sequence timeline.
export function testRecording({ applicationId = "rrd_writer_js", recordingId = "rec_js_1", steps = 50 } = {}) {
  const store = { kind: "recording", application_id: applicationId, recording_id: recordingId };
  const parts = [streamHeader(), message(1, setStoreInfo(store, nextTuid()))];

  const times = Array.from({ length: steps }, (_, i) => i);
  const scalars = Float64Array.from(times, (t) => Math.sin(t / 5));
  const scalarData = arrow.makeData({ type: new arrow.Float64(), length: steps, data: scalars });
  const scalarChunk = chunkIpc("/plots/sine", "step", times,
    ["Scalars", "scalars", "Scalar"], scalarData, times.concat([steps]));
  parts.push(message(2, arrowMsg(store, scalarChunk.ipc, scalarChunk.chunkId, false)));

  // Points3D: 10 frames of 20 points on a helix.
  const frames = 10, perFrame = 20;
  const xyz = new Float32Array(frames * perFrame * 3);
  for (let f = 0; f < frames; ++f) {
    for (let p = 0; p < perFrame; ++p) {
      const a = (p / perFrame) * 2 * Math.PI + f * 0.1;
      xyz.set([Math.cos(a), Math.sin(a), p / perFrame], 3 * (f * perFrame + p));
    }
  }
  const floatData = arrow.makeData({ type: new arrow.Float32(), length: xyz.length, data: xyz });
  const vec3 = new arrow.FixedSizeList(3, new arrow.Field("item", new arrow.Float32(), false));
  const pointData = arrow.makeData({ type: vec3, length: frames * perFrame, child: floatData });
  const frameTimes = Array.from({ length: frames }, (_, f) => f * 5);
  const pointChunk = chunkIpc("/world/points", "step", frameTimes,
    ["Points3D", "positions", "Position3D"], pointData,
    Array.from({ length: frames + 1 }, (_, f) => f * perFrame));
  parts.push(message(2, arrowMsg(store, pointChunk.ipc, pointChunk.chunkId, false)));

  parts.push(message(0, new Uint8Array(0))); // End, empty RrdFooter, nothing after: valid
  return {
    bytes: concat(parts),
    applicationId,
    recordingId,
    timeline: "step",
    range: { min: 0, max: steps - 1 },
    chunks: [
      { entity: "/plots/sine", rows: steps },
      { entity: "/world/points", rows: frames },
    ],
  };
}
