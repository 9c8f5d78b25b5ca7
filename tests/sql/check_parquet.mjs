// Reads reel's Parquet export with readers that share no code with reel: DuckDB through Node
// (@duckdb/node-api, its own DuckDB build) over the whole Hive-partitioned dataset, and
// hyparquet on single files. Every value must equal reel's own query of the same recordings
// (expected.json, from Dataset::read_rows). Usage: node check_parquet.mjs DIR
// (DIR/expected.json and DIR/parquet/<Archetype>/...).
import { DuckDBInstance } from '@duckdb/node-api';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
const root = join(dir, 'parquet');
let checks = 0;

// The exported columns of a reel row: entity_path, row_id, each timeline (timestamps as
// `<t>` microseconds and `<t>_ns`), the fields. Partition keys and `source` are not columns.
function exportedColumns(rows) {
  const cols = new Map();
  for (const row of rows) {
    for (const [name, v] of Object.entries(row)) {
      if (name.endsWith(':type') || ['recording_id', 'application_id', 'source'].includes(name)) continue;
      const type = row[`${name}:type`];
      cols.set(name, type ?? (name === 'entity_path' || name === 'row_id' ? name : 'component'));
    }
  }
  return cols;
}

function key(recording, rowId) { return `${recording}/${rowId}`; }

const floorDiv = (a, b) => (a - (((a % b) + b) % b)) / b;

// --- DuckDB over the whole dataset
const duck = await (await DuckDBInstance.create(':memory:')).connect();
for (const [table, rows] of Object.entries(expected)) {
  if (table.startsWith('_')) continue;
  const cols = exportedColumns(rows);
  const glob = join(root, table, '*', '*', '*.parquet');
  const select = ['recording_id', 'application_id', 'entity_path', 'lower(hex(row_id)) AS row_id'];
  for (const [name, type] of cols) {
    if (type === 'entity_path' || type === 'row_id') continue;
    if (type === 'timestamp') {
      select.push(`CAST(epoch_us("${name}") AS VARCHAR) AS "${name}:us"`, `CAST("${name}_ns" AS VARCHAR) AS "${name}"`);
    } else if (type === 'component') {
      select.push(`to_json("${name}")::VARCHAR AS "${name}"`);
    } else {
      select.push(`CAST("${name}" AS VARCHAR) AS "${name}"`);
    }
  }
  const reader = await duck.runAndReadAll(
    `SELECT ${select.join(', ')} FROM read_parquet('${glob}', hive_partitioning = true, union_by_name = true)`);
  const got = new Map(reader.getRowObjectsJS().map((r) => [key(r.recording_id, r.row_id), r]));
  assert.equal(got.size, rows.length, `${table}: DuckDB reads ${got.size} rows, reel ${rows.length}`);
  for (const want of rows) {
    const r = got.get(key(want.recording_id, want.row_id));
    assert.ok(r, `${table}: row ${want.row_id} of ${want.recording_id} missing`);
    assert.equal(r.application_id, want.application_id);
    assert.equal(r.entity_path, want.entity_path);
    for (const [name, type] of cols) {
      if (type === 'entity_path' || type === 'row_id') continue;
      const w = want[name];
      if (type === 'component') {
        assert.deepEqual(w === null ? null : JSON.parse(r[name]), w, `${table}.${name}`);
      } else {
        assert.equal(r[name], w === null || w === undefined ? null : String(w), `${table}.${name} of ${want.row_id}`);
        if (type === 'timestamp' && w !== null && w !== undefined) {
          assert.equal(r[`${name}:us`], String(floorDiv(BigInt(w), 1000n)), `${table}.${name} as TIMESTAMP`);
        }
      }
      checks++;
    }
  }
  // Column types as an engine sees them.
  const types = new Map((await duck.runAndReadAll(
    `DESCRIBE SELECT * FROM read_parquet('${glob}', hive_partitioning = true, union_by_name = true)`))
    .getRowObjectsJS().map((r) => [r.column_name, r.column_type]));
  for (const [name, type] of cols) {
    if (type === 'timestamp') {
      assert.equal(types.get(name), 'TIMESTAMP', `${table}.${name}`);
      assert.equal(types.get(`${name}_ns`), 'BIGINT', `${table}.${name}_ns`);
    } else if (type === 'sequence' || type === 'duration') {
      assert.equal(types.get(name), 'BIGINT', `${table}.${name}`);
    }
  }
  assert.equal(types.get('row_id'), 'BLOB');
  // Names stay distinct in lowercase (Trino lowercases them).
  const lower = [...types.keys()].map((n) => n.toLowerCase());
  assert.equal(new Set(lower).size, lower.length, `${table}: ${[...types.keys()]}`);
  console.log(`duckdb ${table}: ${rows.length} rows, ${cols.size} columns equal to reel's`);
}
// The recording reel could not read was reported and is not in the export.
assert.ok(expected._warnings.some((w) => w.includes('cut.reel')), JSON.stringify(expected._warnings));

// --- hyparquet on single files: one per table and recording
for (const [table, rows] of Object.entries(expected)) {
  if (table.startsWith('_')) continue;
  const cols = exportedColumns(rows);
  for (const app of readdirSync(join(root, table))) {
    for (const rec of readdirSync(join(root, table, app))) {
      const path = join(root, table, app, rec, 'part-0.parquet');
      const file = await asyncBufferFromFile(path);
      const meta = await parquetMetadataAsync(file);
      const names = meta.schema.slice(1).map((s) => s.name);
      assert.ok(!names.includes('recording_id') && !names.includes('application_id'), `${path}: ${names}`);
      for (const group of meta.row_groups) {
        for (const column of group.columns) {
          const m = column.meta_data;
          assert.equal(m.codec, 'ZSTD', `${path}: ${m.path_in_schema} is ${m.codec}`);
          const leaf = m.path_in_schema[0];
          if (cols.get(leaf) === 'sequence' || leaf.endsWith('_ns')) {
            assert.ok(m.statistics && (m.statistics.min_value !== undefined || m.statistics.min !== undefined),
              `${path}: no statistics on ${leaf}`);
          }
        }
      }
      const recordingId = decodeURIComponent(rec.slice('recording_id='.length));
      const want = new Map(rows.filter((r) => r.recording_id === recordingId).map((r) => [r.row_id, r]));
      const got = await parquetReadObjects({ file, compressors, utf8: false });
      assert.equal(got.length, want.size, `${path}: ${got.length} rows, reel ${want.size}`);
      for (const g of got) {
        const id = Buffer.from(g.row_id).toString('hex');
        const w = want.get(id);
        assert.ok(w, `${path}: unknown row ${id}`);
        assert.equal(g.entity_path, w.entity_path);
        for (const [name, type] of cols) {
          if (type === 'entity_path' || type === 'row_id') continue;
          const value = type === 'timestamp' ? g[`${name}_ns`] : g[name];
          const expect = w[name];
          if (type === 'component') {
            const norm = (v) => (v === null || v === undefined ? null : JSON.parse(JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? Number(x) : x))));
            assert.deepEqual(norm(value), expect ?? null, `${path}: ${name}`);
          } else {
            assert.equal(value === null || value === undefined ? null : String(value),
              expect === null || expect === undefined ? null : String(expect), `${path}: ${name} of ${id}`);
          }
          checks++;
        }
      }
    }
  }
  console.log(`hyparquet ${table}: every file equal to reel's rows`);
}
console.log(`parquet readers: ${checks} values checked`);
