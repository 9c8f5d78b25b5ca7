// Writes the fixtures of reel's "unsupported Arrow types drop the column, not the chunk" tests
// with apache-arrow for JavaScript (an Arrow implementation independent of reel):
//   tests/data/arrow_js_unsupported_columns.arrows  an Arrow IPC stream whose supported
//       columns sit between columns of types reel does not represent (dictionary, large_utf8,
//       date32, decimal128, map, sparse union, list<large_binary>, a struct with a dictionary
//       field); src/arrow/ipc_test.cpp asserts the supported columns' exact values.
//   tests/data/rrd_js_unsupported_columns.rrd  an .rrd (rrd_writer.mjs framing) whose chunks
//       hold Rerun components next to columns of such types; src/format's tests assert the
//       chunks are kept without those columns, with one warning per entity and column.
// Usage (from the repository root): node tests/rerun_viewer/write_unsupported_columns.mjs
// The outputs are committed, so the tests need no Node; run this again only to change them.
import * as arrow from "apache-arrow";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  arrowMsg, componentField, hex, indexField, message, nextTuid, rowIdField, setStoreInfo,
  streamHeader, tuidBytes,
} from "./rrd_writer.mjs";

const dataDir = join(dirname(fileURLToPath(import.meta.url)), "..", "data");
const vec = (values, type) => arrow.vectorFromArray(values, type).data[0];
const dictType = () => new arrow.Dictionary(new arrow.Utf8(), new arrow.Int8());

function batchOf(fields, columns, metadata = new Map()) {
  const schema = new arrow.Schema(fields, metadata);
  const length = columns[0].length;
  const batch = new arrow.RecordBatch(schema,
    arrow.makeData({ type: new arrow.Struct(fields), length, children: columns }));
  return arrow.tableToIPC(new arrow.Table(schema, [batch]), "stream");
}

// --- the plain IPC stream ---------------------------------------------------------------
function unsupportedColumnsStream() {
  const rows = 4;
  const decimal = new Uint32Array(4 * rows);
  for (let i = 0; i < rows; ++i) decimal[4 * i] = 1000 + i; // 10.00, 10.01, ... (scale 2)
  const decimalType = new arrow.Decimal(2, 10, 128);
  const unionType = new arrow.SparseUnion([0, 1], [
    new arrow.Field("n", new arrow.Int32(), true), new arrow.Field("s", new arrow.Utf8(), true)]);
  const mapType = new arrow.Map_(new arrow.Field("entries", new arrow.Struct([
    new arrow.Field("key", new arrow.Utf8(), false),
    new arrow.Field("value", new arrow.Int32(), true)]), false));
  const blobsType = new arrow.List(new arrow.Field("item", new arrow.LargeBinary(), true));
  const taggedType = new arrow.Struct([
    new arrow.Field("s", new arrow.Int16(), true), new arrow.Field("d", dictType(), true)]);
  const fsl = new arrow.FixedSizeList(2, new arrow.Field("item", new arrow.Int32(), true));
  const columns = [
    ["id", new arrow.Int32(), vec([1, 2, null, 4], new arrow.Int32())],
    ["dict", dictType(), vec(["x", "y", "x", null], dictType())],
    ["name", new arrow.Utf8(), vec(["a", "bc", null, "def"], new arrow.Utf8())],
    ["big", new arrow.LargeUtf8(), vec(["L1", "L22", "", "L4444"], new arrow.LargeUtf8())],
    ["vals", new arrow.List(new arrow.Field("item", new arrow.Float64(), true)),
      vec([[1.5], [], null, [2.5, 3.5]],
        new arrow.List(new arrow.Field("item", new arrow.Float64(), true)))],
    ["day", new arrow.DateDay(), vec([new Date(0), new Date(86400000), null, new Date(19000 * 86400000)],
      new arrow.DateDay())],
    ["dec", decimalType, arrow.makeData({ type: decimalType, length: rows, data: decimal })],
    ["flags", new arrow.Bool(), vec([true, false, null, true], new arrow.Bool())],
    ["m", mapType, vec([new Map([["a", 1]]), new Map(), null, new Map([["b", 2], ["c", null]])], mapType)],
    ["u", unionType, arrow.makeData({
      type: unionType, length: rows, typeIds: Int8Array.from([0, 1, 0, 1]),
      children: [vec([7, null, 9, null], new arrow.Int32()), vec([null, "u1", null, "u3"], new arrow.Utf8())],
    })],
    ["blobs", blobsType, vec([[Uint8Array.of(1, 2)], null, [], [Uint8Array.of(3)]], blobsType)],
    ["tagged", taggedType, arrow.makeData({
      type: taggedType, length: rows,
      children: [vec([1, 2, 3, 4], new arrow.Int16()), vec(["p", "q", "p", "q"], dictType())],
    })],
    ["pair", fsl, vec([[1, 2], [3, 4], null, [7, 8]], fsl)],
    ["ts", new arrow.TimestampNanosecond(), arrow.makeData({
      type: new arrow.TimestampNanosecond(), length: rows, nullCount: 1, nullBitmap: Uint8Array.of(0b0111),
      data: BigInt64Array.from([0n, 1n, 1700000000000000000n, 0n]),
    })],
  ];
  const fields = columns.map(([name, type]) => new arrow.Field(name, type, true, new Map([["k", name]])));
  return batchOf(fields, columns.map(([, , data]) => data), new Map([["fixture", "unsupported_columns"]]));
}

// --- the .rrd ---------------------------------------------------------------------------
const customField = (name, type) => new arrow.Field(name, type, true, new Map([
  ["rerun:kind", "data"],
  ["rerun:component", name],
  ["rerun:archetype", "my.archetypes.Custom"],
  ["rerun:component_type", "my.components." + name.split(":")[1]],
]));

// A chunk of `entity` with rows at `steps`: Scalars:scalars, then Custom:big (list<large_utf8>),
// Custom:note (list<utf8>, a component reel does not know but can represent), Custom:day
// (list<date32>), Custom:label (dictionary, not even a list), in that order.
function chunkMessage(store, entity, steps) {
  const rows = steps.length;
  const chunkId = nextTuid();
  const rowIds = new Uint8Array(16 * rows);
  for (let i = 0; i < rows; ++i) rowIds.set(tuidBytes(nextTuid()), 16 * i);
  const listOf = (t) => new arrow.List(new arrow.Field("item", t, true));
  const scalarsType = listOf(new arrow.Float64());
  const fields = [
    rowIdField(), indexField("step"),
    componentField("Scalars", "scalars", "Scalar", scalarsType),
    customField("Custom:big", listOf(new arrow.LargeUtf8())),
    customField("Custom:note", listOf(new arrow.Utf8())),
    customField("Custom:day", listOf(new arrow.DateDay())),
    customField("Custom:label", dictType()),
  ];
  const columns = [
    arrow.makeData({ type: fields[0].type, length: rows, data: rowIds }),
    arrow.makeData({ type: fields[1].type, length: rows, data: BigInt64Array.from(steps, BigInt) }),
    vec(steps.map((s) => [s / 4]), scalarsType),
    vec(steps.map((s) => ["big" + s]), listOf(new arrow.LargeUtf8())),
    vec(steps.map((s) => (s % 2 ? null : ["note " + s])), listOf(new arrow.Utf8())),
    vec(steps.map((s) => [new Date(s * 86400000)]), listOf(new arrow.DateDay())),
    vec(steps.map((s) => (s % 2 ? "odd" : "even")), dictType()),
  ];
  const ipc = batchOf(fields, columns, new Map([
    ["sorbet:version", "0.1.3"],
    ["rerun:id", "chunk_" + hex(tuidBytes(chunkId))],
    ["rerun:entity_path", entity],
  ]));
  return message(2, arrowMsg(store, ipc, chunkId, false));
}

function unsupportedColumnsRrd() {
  const store = { kind: "recording", application_id: "unsupported_js", recording_id: "rec_unsupported" };
  const parts = [streamHeader(), message(1, setStoreInfo(store, nextTuid())),
    chunkMessage(store, "/a", [0, 1, 2]), chunkMessage(store, "/a", [3, 4]),
    chunkMessage(store, "/b", [10]), message(0, new Uint8Array(0))];
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

writeFileSync(join(dataDir, "arrow_js_unsupported_columns.arrows"), unsupportedColumnsStream());
writeFileSync(join(dataDir, "rrd_js_unsupported_columns.rrd"), unsupportedColumnsRrd());
console.log("wrote", join(dataDir, "arrow_js_unsupported_columns.arrows"), "and rrd_js_unsupported_columns.rrd");
