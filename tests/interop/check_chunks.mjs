// Decodes reel chunk payloads with apache-arrow (an Arrow implementation reel does not
// share code with) and checks schema metadata, field metadata, types and every value against
// what the writer says it wrote.
//
// Usage: node check_chunks.mjs FIXTURE_DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tableFromIPC, Type, Precision, TimeUnit, UnionMode } from 'apache-arrow';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node check_chunks.mjs FIXTURE_DIR');
  process.exit(2);
}
const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));

let failures = 0;
function check(cond, what) {
  if (!cond) {
    failures++;
    console.error(`FAIL: ${what}`);
  }
}

function render(t) {
  switch (t.typeId) {
    case Type.List: return `list<${render(t.children[0].type)}>`;
    case Type.FixedSizeList: return `fixed_size_list<${render(t.children[0].type)}>[${t.listSize}]`;
    case Type.Struct: return `struct<${t.children.map((f) => `${f.name}: ${render(f.type)}`).join(', ')}>`;
    case Type.Int: return `${t.isSigned ? 'int' : 'uint'}${t.bitWidth}`;
    case Type.Float:
      return { [Precision.HALF]: 'float16', [Precision.SINGLE]: 'float32', [Precision.DOUBLE]: 'float64' }[t.precision];
    case Type.Utf8: return 'utf8';
    case Type.Binary: return 'binary';
    case Type.Bool: return 'bool';
    case Type.FixedSizeBinary: return `fixed_size_binary[${t.byteWidth}]`;
    default: return `?${Type[t.typeId]}`;
  }
}

function plain(v, t) {
  if (v === null || v === undefined) return null;
  switch (t.typeId) {
    case Type.List:
    case Type.FixedSizeList:
      return [...v].map((x) => plain(x, t.children[0].type));
    case Type.Struct: {
      const out = {};
      for (const f of t.children) out[f.name] = plain(v[f.name], f.type);
      return out;
    }
    case Type.Int:
      return t.bitWidth === 64 ? String(v) : Number(v);
    case Type.Binary:
      return Array.from(v);
    default:
      return v;
  }
}

// JSON with object keys sorted, so that field order does not matter in comparisons.
const canonical = (v) => JSON.stringify(v, (k, x) =>
  x && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.keys(x).sort().map((key) => [key, x[key]]))
    : x);

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

for (const [name, want] of Object.entries(expected)) {
  const table = tableFromIPC(readFileSync(join(dir, `${name}.arrows`)));
  const meta = table.schema.metadata;
  check(meta.get('reel.entity_path') === want.entity_path, `${name}: entity path ${meta.get('reel.entity_path')}`);
  check(meta.get('reel.chunk_id') === want.chunk_id, `${name}: chunk id`);
  check(table.numRows === want.num_rows, `${name}: ${table.numRows} rows, expected ${want.num_rows}`);

  const fields = table.schema.fields;
  check(fields[0].name === 'reel.row_id' && fields[0].metadata.get('reel.kind') === 'row_id', `${name}: row id column first`);
  const ids = table.getChildAt(0);
  for (let i = 0; i < want.num_rows; i++) {
    check(hex(ids.get(i)) === want.row_ids[i], `${name}: row id ${i} ${hex(ids.get(i))} != ${want.row_ids[i]}`);
  }
  want.timelines.forEach((tl, k) => {
    const f = fields[1 + k];
    check(f.name === tl.name, `${name}: time column ${k} is ${f.name}, expected ${tl.name}`);
    check(f.metadata.get('reel.kind') === 'time', `${name}: ${tl.name} kind`);
    check(f.metadata.get('reel.time_type') === tl.time_type, `${name}: ${tl.name} time type`);
    check(render(f.type) === 'int64', `${name}: ${tl.name} is ${render(f.type)}`);
    const col = table.getChildAt(1 + k);
    tl.values.forEach((v, i) => check(String(col.get(i)) === v, `${name}: ${tl.name}[${i}] = ${col.get(i)}, expected ${v}`));
  });
  want.components.forEach((c, k) => {
    const index = 1 + want.timelines.length + k;
    const f = fields[index];
    check(f.name === c.name, `${name}: component ${k} is ${f.name}, expected ${c.name}`);
    for (const key of ['archetype', 'archetype_field', 'component_type']) {
      check(f.metadata.get(`reel.${key}`) === c[key], `${name}: ${c.name} ${key} = ${f.metadata.get(`reel.${key}`)}`);
    }
    check(render(f.type) === c.type, `${name}: ${c.name} type ${render(f.type)}, expected ${c.type}`);
    const col = table.getChildAt(index);
    c.rows.forEach((row, i) => {
      const got = plain(col.get(i), f.type);
      check(canonical(got) === canonical(row),
        `${name}: ${c.name} row ${i}: ${canonical(got)} != ${canonical(row)}`);
    });
  });
  console.log(`${name}: ${table.numRows} rows, ${fields.length} columns decoded by apache-arrow`);
}

// A dataframe query's Arrow IPC output (reel query --format arrow).
{
  const want = JSON.parse(readFileSync(join(dir, 'table.json'), 'utf8'));
  const table = tableFromIPC(readFileSync(join(dir, 'table.arrows')));
  const names = table.schema.fields.map((f) => f.name);
  check(canonical(names) === canonical(want.columns), `table: columns ${names}`);
  check(table.numRows === want.rows.length, `table: ${table.numRows} rows, expected ${want.rows.length}`);
  want.rows.forEach((row, i) => {
    row.forEach((cell, c) => {
      const f = table.schema.fields[c];
      const got = plain(table.getChildAt(c).get(i), f.type);
      const expected = typeof cell === 'number' && f.type.typeId === Type.Int && f.type.bitWidth === 64 ? String(cell) : cell;
      check(canonical(got) === canonical(expected), `table row ${i} ${f.name}: ${canonical(got)} != ${canonical(expected)}`);
    });
  });
  console.log(`table: ${table.numRows} rows x ${names.length} columns decoded by apache-arrow`);
}

// timestamp, duration and dense union columns (reel's Arrow types for Rerun layouts).
{
  const table = tableFromIPC(readFileSync(join(dir, 'types.arrows')));
  const [ts, dur, u] = table.schema.fields;
  check(ts.type.typeId === Type.Timestamp && ts.type.unit === TimeUnit.NANOSECOND && ts.type.timezone === 'UTC',
    `types: ts is ${ts.type}`);
  check(dur.type.typeId === Type.Duration && dur.type.unit === TimeUnit.NANOSECOND, `types: dur is ${dur.type}`);
  check(u.type.typeId === Type.Union && u.type.mode === UnionMode.Dense &&
    canonical(Array.from(u.type.typeIds)) === '[5,9]', `types: u is ${u.type}`);
  const tsv = table.getChildAt(0), durv = table.getChildAt(1), uv = table.getChildAt(2);
  // apache-arrow gives timestamps in milliseconds; the raw i64 values are in the data.
  check(canonical(Array.from(tsv.data[0].values, String)) === canonical(['1700000000123456789', '-1', '42']),
    `types: ts values ${Array.from(tsv.data[0].values)}`);
  check(durv.get(1) === null && String(durv.get(2)) === '42', `types: dur ${durv.get(1)} ${durv.get(2)}`);
  check(canonical([uv.get(0), uv.get(1), uv.get(2)]) === canonical([8, 'x', 7]), `types: union ${[uv.get(0), uv.get(1), uv.get(2)]}`);
  console.log('types: timestamp, duration and dense union decoded by apache-arrow');
}

// Index columns of timestamp and duration timelines (reel query --format arrow).
for (const [index, want] of [['t', ['1700000000000000001', '1700000000500000000']],
                             ['d', ['-1500000000', '250000000']]]) {
  const table = tableFromIPC(readFileSync(join(dir, `times_${index}.arrows`)));
  const f = table.schema.fields[0];
  check(f.name === index, `times_${index}: first column ${f.name}`);
  if (index === 't') {
    check(f.type.typeId === Type.Timestamp && f.type.unit === TimeUnit.NANOSECOND && f.type.timezone === 'UTC',
      `times_t: index is ${f.type}`);
  } else {
    check(f.type.typeId === Type.Duration && f.type.unit === TimeUnit.NANOSECOND, `times_d: index is ${f.type}`);
  }
  const got = table.getChildAt(0).data.flatMap((d) => Array.from(d.values, String));
  check(canonical(got) === canonical(want), `times_${index}: values ${got}`);
  const scalars = table.getChildAt(1);
  check(table.numRows === 2 && canonical([...scalars.get(0)]) === '[0]' && canonical([...scalars.get(1)]) === '[1]',
    `times_${index}: scalars`);
  console.log(`times_${index}: ${f.type} index decoded by apache-arrow`);
}

if (failures) {
  console.error(`${failures} check(s) failed`);
  process.exit(1);
}
console.log(`all ${Object.keys(expected).length} fixtures match`);
