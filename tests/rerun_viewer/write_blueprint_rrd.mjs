// Writes tests/data/rrd_js_blueprint.rrd with apache-arrow for JavaScript and rrd_writer.mjs's
// framing (independent of reel): a recording (Scalars on /a and /b) with a blueprint store
// interleaved, as Rerun writes them: SetStoreInfo(recording), chunk /a, SetStoreInfo(blueprint),
// blueprint chunk /viewport, chunk /a, chunk /b, blueprint chunk /viewport/container, End.
// tests/integration/rrd_stores_test.cpp reads it (blueprints kept when copying, skipped by
// queries). Usage: node tests/rerun_viewer/write_blueprint_rrd.mjs
import * as arrow from "apache-arrow";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  arrowMsg, componentField, hex, indexField, message, nextTuid, rowIdField, setStoreInfo,
  streamHeader, tuidBytes,
} from "./rrd_writer.mjs";

const out = join(dirname(fileURLToPath(import.meta.url)), "..", "data", "rrd_js_blueprint.rrd");
const listOf = (t) => new arrow.List(new arrow.Field("item", t, true));

function chunk(store, entity, timeline, steps, field, cells) {
  const rows = steps.length;
  const chunkId = nextTuid();
  const rowIds = new Uint8Array(16 * rows);
  for (let i = 0; i < rows; ++i) rowIds.set(tuidBytes(nextTuid()), 16 * i);
  const fields = [rowIdField(), indexField(timeline), field];
  const schema = new arrow.Schema(fields, new Map([
    ["sorbet:version", "0.1.3"],
    ["rerun:id", "chunk_" + hex(tuidBytes(chunkId))],
    ["rerun:entity_path", entity],
  ]));
  const columns = [
    arrow.makeData({ type: fields[0].type, length: rows, data: rowIds }),
    arrow.makeData({ type: fields[1].type, length: rows, data: BigInt64Array.from(steps, BigInt) }),
    arrow.vectorFromArray(cells, field.type).data[0],
  ];
  const batch = new arrow.RecordBatch(schema,
    arrow.makeData({ type: new arrow.Struct(fields), length: rows, children: columns }));
  const ipc = arrow.tableToIPC(new arrow.Table(schema, [batch]), "stream");
  return message(2, arrowMsg(store, ipc, chunkId, false));
}

const recording = { kind: "recording", application_id: "bp_js", recording_id: "rec_bp" };
const blueprint = { kind: "blueprint", application_id: "bp_js", recording_id: "bp_1" };
const scalars = () => componentField("Scalars", "scalars", "Scalar", listOf(new arrow.Float64()));
const autoViews = () => new arrow.Field("ViewportBlueprint:auto_views", listOf(new arrow.Bool()), true,
  new Map([
    ["rerun:kind", "data"],
    ["rerun:component", "ViewportBlueprint:auto_views"],
    ["rerun:archetype", "rerun.blueprint.archetypes.ViewportBlueprint"],
    ["rerun:component_type", "rerun.blueprint.components.AutoViews"],
  ]));
const parts = [
  streamHeader(),
  message(1, setStoreInfo(recording, nextTuid())),
  chunk(recording, "/a", "step", [0, 1, 2], scalars(), [[0.5], [1.5], [2.5]]),
  message(1, setStoreInfo(blueprint, nextTuid())),
  chunk(blueprint, "/viewport", "blueprint", [0], autoViews(), [[true]]),
  chunk(recording, "/a", "step", [3, 4], scalars(), [[3.5], [4.5]]),
  chunk(recording, "/b", "step", [0], scalars(), [[-1]]),
  chunk(blueprint, "/viewport/container", "blueprint", [1], autoViews(), [[false]]),
  message(0, new Uint8Array(0)),
];
const bytes = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
let at = 0;
for (const p of parts) {
  bytes.set(p, at);
  at += p.length;
}
writeFileSync(out, bytes);
console.log("wrote", out);
