// The DuckDB baseline of reel-bench (docs/benchmark.md), run by reel-bench's `duckdb` scenario.
//
// Usage: node baseline.mjs VALUES_FILE SERIES STEPS
//
// VALUES_FILE holds the workload's values as little-endian f64, series-major
// (values[s * STEPS + step]), written by reel-bench so both sides load the very same rows.
// The script times, in one in-memory DuckDB database:
//   load:  CREATE TABLE t (series INTEGER, step INTEGER, value DOUBLE) and append every row in
//          logging order (step-major, as SQLite gets them), through the Appender in data chunks
//          (DuckDB's fastest client-side bulk path);
//   range: SELECT SUM(value) FROM t WHERE series = ?, once per series (the full-range scan);
//   pivot: PIVOT t ON series USING first(value) GROUP BY step ORDER BY step, every result chunk
//          fetched (the 45-series dataframe).
// It prints one JSON object on stdout with the timings and the sums reel-bench checks.
import { readFileSync } from 'node:fs';
import { DOUBLE, DuckDBDataChunk, DuckDBInstance, INTEGER } from '@duckdb/node-api';

const [file, seriesArg, stepsArg] = process.argv.slice(2);
if (!file || !seriesArg || !stepsArg) {
  console.error('usage: node baseline.mjs VALUES_FILE SERIES STEPS');
  process.exit(2);
}
const series = Number(seriesArg);
const steps = Number(stepsArg);
const buf = readFileSync(file);
const values = new Float64Array(buf.buffer, buf.byteOffset, buf.byteLength / 8);
if (values.length !== series * steps) {
  console.error(`baseline.mjs: ${values.length} values in ${file}, expected ${series * steps}`);
  process.exit(2);
}

const seconds = (t0) => Number(process.hrtime.bigint() - t0) / 1e9;
const instance = await DuckDBInstance.create(':memory:');
const con = await instance.connect();
const version = (await con.runAndReadAll('SELECT version()')).getRows()[0][0];

// ---- load: rows prepared as columns first (JS work that is not DuckDB's), then appended.
const rows = series * steps;
const colSeries = new Array(rows);
const colStep = new Array(rows);
const colValue = new Array(rows);
for (let k = 0, r = 0; k < steps; ++k) {
  for (let s = 0; s < series; ++s, ++r) {
    colSeries[r] = s;
    colStep[r] = k;
    colValue[r] = values[s * steps + k];
  }
}
let t0 = process.hrtime.bigint();
await con.run('CREATE TABLE t (series INTEGER, step INTEGER, value DOUBLE)');
const appender = await con.createAppender('t');
const chunkRows = 2048;  // DuckDB's vector size
for (let r = 0; r < rows; r += chunkRows) {
  const n = Math.min(chunkRows, rows - r);
  const chunk = DuckDBDataChunk.create([INTEGER, INTEGER, DOUBLE], n);
  chunk.setColumns([colSeries.slice(r, r + n), colStep.slice(r, r + n), colValue.slice(r, r + n)]);
  appender.appendDataChunk(chunk);
}
appender.flushSync();
appender.closeSync();
const loadS = seconds(t0);
const loaded = Number((await con.runAndReadAll('SELECT COUNT(*) FROM t')).getRows()[0][0]);

// ---- range: the full-range scan of every series, summing values in the engine.
const perSeries = await con.prepare('SELECT SUM(value) FROM t WHERE series = $1');
let rangeSum = 0;
t0 = process.hrtime.bigint();
for (let s = 0; s < series; ++s) {
  perSeries.bindInteger(1, s);
  const result = await perSeries.runAndReadAll();
  rangeSum += Number(result.getRows()[0][0]);
}
const rangeS = seconds(t0);

// ---- pivot: one row per step, one column per series; every chunk fetched.
t0 = process.hrtime.bigint();
const pivot = await con.run('PIVOT t ON series USING first(value) GROUP BY step ORDER BY step');
const chunks = await pivot.fetchAllChunks();
const pivotS = seconds(t0);
let pivotRows = 0;
let pivotCells = 0;
let pivotSum = 0;
for (const chunk of chunks) {
  pivotRows += chunk.rowCount;
  for (let c = 1; c < chunk.columnCount; ++c) {
    for (const v of chunk.getColumnValues(c)) {
      if (v !== null) {
        pivotSum += Number(v);
        ++pivotCells;
      }
    }
  }
}

console.log(JSON.stringify({
  duckdb_version: version,
  rows_loaded: loaded,
  load_s: loadS,
  range_s: rangeS,
  range_sum: rangeSum,
  pivot_s: pivotS,
  pivot_rows: pivotRows,
  pivot_cells: pivotCells,
  pivot_sum: pivotSum,
}));
