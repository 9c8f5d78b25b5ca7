// Inspection and layout (tests/inspect_recording.cpp served by `reel view`, headless
// Chromium): selecting from the entity tree and from a view shows the components at the
// cursor (values, Arrow types, row ids, times); hovering an instance, an image pixel and a
// plot reports their values; splitters resize panels, a view maximizes, and both survive a
// reload. Positions in views come from what the views report (window.reel.inspectView).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { env, launchBrowser, nextFrames, openViewer, run, screenshotDir, startProcess, stop } from './helpers.mjs';

let dir;
let server;
let browser;
let page;
let url;
let printed;
const errors = [];

/** The row of an entity's one-row chunk as `reel print -vv` lists it: row id and times. */
function printedRow(entity) {
  const lines = printed.split('\n');
  const i = lines.findIndex((l) => new RegExp(`^Chunk [0-9a-f]{32} ${entity} \\(1 rows\\)$`).test(l));
  assert.ok(i >= 0, `reel print -vv lists no one-row chunk of ${entity}`);
  const [rowId, ...fields] = lines[i + 1].trim().split(' ');
  const get = (k) => fields.find((f) => f.startsWith(`${k}=`)).slice(k.length + 1);
  // log_time=2026-12-01T20:19:57.807066503Z as nanoseconds since the epoch.
  const [secs, frac] = get('log_time').replace('Z', '').split('.');
  const ns = BigInt(Date.parse(`${secs}Z`)) * 1_000_000n + BigInt(frac.padEnd(9, '0'));
  return { rowId, logTick: get('log_tick'), logTime: String(ns) };
}

async function ready() {
  await page.waitForFunction(() => document.querySelector('.panel[data-view-title="/cam/image"]') && document.querySelector('.panel[data-view-title="/plots"] .u-over'), null, { timeout: 30_000 });
  await settle();
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reel-viewer-test-'));
  const file = join(dir, 'inspect.reel');
  await run(env('REEL_INSPECT_BIN'), [file]);
  printed = await run(env('REEL_BIN'), ['print', '-vv', file]);
  server = startProcess(env('REEL_BIN'), ['view', file, '--port', '0', '--ingest-port', '0'], [/reel: viewer at (http:\/\/\S+)/]);
  [url] = await server.found;
  browser = await launchBrowser();
  page = await openViewer(browser.context, url, errors);
  await ready();
});

after(async () => {
  await browser?.close();
  stop(server?.child);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Resolves once every view has been updated twice more. */
async function settle() {
  const n = await page.evaluate(() => window.reel.status().view_updates);
  await page.waitForFunction((n) => window.reel.status().view_updates >= n + 2, n, { timeout: 20_000 });
  await nextFrames(page);
}

/** Client (CSS pixel) position of a scene point of a 2D view. */
async function clientAt(id, x, y) {
  const s = await page.evaluate((id) => window.reel.inspectView(id), id);
  assert.ok(s, `no view ${id}`);
  const r = await page.locator(`.panel[data-view-id="${id}"] .view2d-canvas`).boundingBox();
  const dpr = await page.evaluate(() => window.devicePixelRatio || 1);
  return [r.x + (x * s.scale + s.origin[0]) / dpr, r.y + (y * s.scale + s.origin[1]) / dpr];
}

async function hoverAt([x, y]) {
  await page.mouse.move(x - 5, y - 5);
  await page.mouse.move(x, y);
  await nextFrames(page);
  return page.evaluate(() => window.reel.hover());
}

const selection = () => page.evaluate(() => window.reel.selection());
const byComponent = (rows) => Object.fromEntries(rows.map((r) => [r.component, r]));

test('selecting an entity in the tree shows its components at the cursor: values, types, row and times', async () => {
  await page.click('.tree-row[data-entity="/cam/image/boxes"] .tree-name');
  await settle();
  const s = await selection();
  assert.equal(s.entity, '/cam/image/boxes');
  assert.equal(s.instance, null);
  const rows = byComponent(s.rows);
  assert.deepEqual(Object.keys(rows).sort(), ['Boxes2D:centers', 'Boxes2D:class_ids', 'Boxes2D:half_sizes', 'Boxes2D:labels']);
  assert.deepEqual(rows['Boxes2D:centers'].values, ['[8, 6]', '[22, 14]']);
  assert.deepEqual(rows['Boxes2D:half_sizes'].values, ['[4, 3]', '[6, 5]']);
  assert.deepEqual(rows['Boxes2D:class_ids'].values, ['1', '2']);
  assert.deepEqual(rows['Boxes2D:labels'].values, ['"left"', '"right"']);
  assert.equal(rows['Boxes2D:centers'].arrow_type, 'FixedSizeList[2]<Float32>');
  assert.equal(rows['Boxes2D:class_ids'].arrow_type, 'Uint16');
  assert.equal(rows['Boxes2D:labels'].arrow_type, 'Utf8');
  // The row id and SDK times reel's own reader prints for that row.
  const oracle = printedRow('/cam/image/boxes');
  for (const r of s.rows) {
    assert.equal(r.count, 2);
    assert.equal(r.static, false);
    // Logged at frame 2, sim_time 1 s (and the SDK's log_tick and log_time).
    assert.deepEqual(Object.keys(r.times).sort(), ['frame', 'log_tick', 'log_time', 'sim_time']);
    assert.deepEqual([r.times.frame, r.times.sim_time], ['2', '1000000000']);
    assert.deepEqual([r.times.log_tick, r.times.log_time], [oracle.logTick, oracle.logTime]);
    assert.equal(r.row_id, oracle.rowId);
  }
  // The tree marks it and the panel names it.
  assert.equal(await page.$eval('.tree-row.tree-selected', (e) => e.dataset.entity), '/cam/image/boxes');
  assert.equal(await page.$eval('.selection-title', (e) => e.textContent), '/cam/image/boxes');
  // Before frame 2 nothing is logged: the panel follows the cursor.
  await page.evaluate(() => {
    const follow = document.querySelector('.timeline-follow');
    if (follow.dataset.on === 'true') follow.click();
    window.reel.setTime(1n);
  });
  await settle();
  assert.deepEqual((await selection()).rows, []);
  await page.evaluate(() => window.reel.setTime(9n));
  await settle();
  assert.equal((await selection()).rows.length, 4);
});

test('colors show as #rrggbbaa with a swatch, f32 values as written, long batches truncated with their count', async () => {
  await page.click('.tree-row[data-entity="/cam/image/points"] .tree-name');
  await settle();
  const rows = byComponent((await selection()).rows);
  assert.deepEqual(rows['Points2D:colors'].values, ['#00ff0080']);
  assert.equal(rows['Points2D:colors'].arrow_type, 'Uint32');
  assert.deepEqual(rows['Points2D:radii'].values, ['1.5']);
  assert.deepEqual(rows['Points2D:positions'].values, ['[28, 3]']);
  assert.equal(await page.$eval('.selection-row[data-component="Points2D:colors"] .swatch', (e) => getComputedStyle(e).backgroundColor), 'rgba(0, 255, 0, 0.5)');
  await page.click('.tree-row[data-entity="/many/points"] .tree-name');
  await settle();
  const many = byComponent((await selection()).rows)['Points2D:positions'];
  assert.equal(many.count, 50);
  assert.deepEqual(many.values, ['[0, 0]', '[1, 1]', '[2, 2]', '[3, 3]', '[4, 4]', '[5, 0]', '[6, 1]', '[7, 2]']);
  assert.match(await page.$eval('.selection-row[data-component="Points2D:positions"] .selection-value', (e) => e.textContent), /… \(50 in all\)$/);
  // Plotted scalars at the cursor (frame 9).
  await page.click('.tree-row[data-entity="/plots/a"] .tree-name');
  await settle();
  const a = byComponent((await selection()).rows)['Scalars:scalars'];
  assert.deepEqual(a.values, ['13.5']);
  assert.equal(a.arrow_type, 'Float64');
  assert.deepEqual([a.times.frame, a.times.sim_time], ['9', '4500000000']);
});

/** Near-white pixels of a 2D view's canvas (the selection outline is white, antialiased). */
function whitePixels(id) {
  return page.$eval(`.panel[data-view-id="${id}"] .view2d-canvas`, (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) {
      const lo = Math.min(d[i], d[i + 1], d[i + 2]);
      if (lo >= 220 && Math.max(d[i], d[i + 1], d[i + 2]) - lo <= 25) n++;
    }
    return n;
  });
}

test('clicking a known pixel of a known box selects that box (and its instance); Escape and empty space clear', async () => {
  const id = 'image:/cam/image';
  const white = await whitePixels(id);
  // Inside the second box ([16, 28] x [9, 19]).
  await page.mouse.click(...(await clientAt(id, 20, 12)));
  await settle();
  let s = await selection();
  assert.equal(s.entity, '/cam/image/boxes');
  assert.equal(s.instance, 1);
  assert.equal(byComponent(s.rows)['Boxes2D:centers'].instance_value, '[22, 14]');
  // The view outlines it (dashed): at least a third of its perimeter in device pixels.
  const v0 = await page.evaluate((id) => window.reel.inspectView(id), id);
  const outlined = (await whitePixels(id)) - white;
  assert.ok(outlined >= ((2 * (12 + 10) * v0.scale) / 3), `${outlined} white pixels more`);
  // Inside the first.
  await page.mouse.click(...(await clientAt(id, 6, 4)));
  await settle();
  s = await selection();
  assert.deepEqual([s.entity, s.instance], ['/cam/image/boxes', 0]);
  await page.keyboard.press('Escape');
  await settle();
  assert.equal(await selection(), null);
  assert.equal(await whitePixels(id), white);
  // A pixel of the image selects the image; space beside the image clears.
  await page.mouse.click(...(await clientAt(id, 2, 22)));
  await settle();
  assert.equal((await selection()).entity, '/cam/image');
  const v = await page.evaluate((id) => window.reel.inspectView(id), id);
  // Halfway into the margin the fit leaves beside (or above) the image.
  const empty = v.origin[0] >= 4 ? [-v.origin[0] / 2 / v.scale, 12] : [16, -v.origin[1] / 2 / v.scale];
  await page.mouse.click(...(await clientAt(id, ...empty)));
  await settle();
  assert.equal(await selection(), null);
});

test('in 3D, hovering and clicking a point or a box gives that entity, its instance and its values', async () => {
  const sel = '.panel[data-view-id="spatial3d:/world"] canvas.view-canvas';
  // Where the view drew them: the orange pixel with the most orange around it (a point's
  // disc), the middle of the blue outline (the box).
  const found = await page.$eval(sel, (canvas) => {
    const c = document.createElement('canvas');
    c.width = canvas.width;
    c.height = canvas.height;
    const g = c.getContext('2d');
    g.drawImage(canvas, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const at = (x, y) => (y * c.width + x) * 4;
    const orange = (x, y) => d[at(x, y)] > 200 && d[at(x, y) + 1] > 90 && d[at(x, y) + 1] < 150 && d[at(x, y) + 2] < 40;
    let best = null;
    let bestN = 0;
    let bx = 0;
    let by = 0;
    let bn = 0;
    for (let y = 3; y < c.height - 3; y++) {
      for (let x = 3; x < c.width - 3; x++) {
        const i = at(x, y);
        if (d[i + 2] > 200 && d[i] < 40 && d[i + 1] < 40) {
          bx += x;
          by += y;
          bn++;
        }
        if (!orange(x, y)) continue;
        let n = 0;
        for (let dy = -3; dy <= 3; dy++) for (let dx = -3; dx <= 3; dx++) n += orange(x + dx, y + dy) ? 1 : 0;
        if (n > bestN) [best, bestN] = [[x, y], n];
      }
    }
    return { w: c.width, h: c.height, orange: best, blue: bn ? [Math.round(bx / bn), Math.round(by / bn)] : null };
  });
  assert.ok(found.orange && found.blue, JSON.stringify(found));
  const r = await page.locator(sel).boundingBox();
  const client = ([x, y]) => [r.x + ((x + 0.5) * r.width) / found.w, r.y + ((y + 0.5) * r.height) / found.h];
  const p = await hoverAt(client(found.orange));
  assert.equal(p.entity, '/world/points');
  assert.equal(p.archetype, 'Points3D');
  assert.ok([0, 1, 2].includes(p.instance), `instance ${p.instance}`);
  assert.deepEqual(p.values, { colors: '#ff8000ff', positions: ['[0, 0, 0]', '[1, 0, 0]', '[0, 1, 0]'][p.instance], radii: '0.12' });
  await page.mouse.click(...client(found.orange));
  await settle();
  assert.deepEqual(await page.evaluate(() => [window.reel.selection().entity, window.reel.selection().instance]), ['/world/points', p.instance]);
  const b = await hoverAt(client(found.blue));
  assert.deepEqual([b.entity, b.instance, b.archetype], ['/world/box', 0, 'Boxes3D']);
  assert.deepEqual(b.values, { centers: '[1, 1, 0.5]', colors: '#0000ffff', half_sizes: '[0.25, 0.25, 0.25]' });
  await page.mouse.click(...client(found.blue));
  await settle();
  assert.deepEqual(await page.evaluate(() => [window.reel.selection().entity, window.reel.selection().instance]), ['/world/box', 0]);
  await page.keyboard.press('Escape');
});

test('clicking a log row selects its entity', async () => {
  await page.click('.log-row[data-entity="/logs"] td:last-child');
  await settle();
  const rows = byComponent((await selection()).rows);
  assert.equal((await selection()).entity, '/logs');
  assert.deepEqual(rows['TextLog:text'].values, ['"boxes found"']);
  assert.deepEqual(rows['TextLog:level'].values, ['"WARN"']);
  await page.keyboard.press('Escape');
});

test('hovering an image pixel reports its exact RGB; a depth pixel its depth, a segmentation pixel its class', async () => {
  // Pixel (5, 20) is (8 * 5, 10 * 20, 200).
  const h = await hoverAt(await clientAt('image:/cam/image', 5.5, 20.5));
  assert.equal(h.entity, '/cam/image');
  assert.deepEqual([h.pixel.x, h.pixel.y], [5, 20]);
  assert.deepEqual(h.pixel.values, [{ entity: '/cam/image', kind: 'RGB', value: [40, 200, 200], text: 'RGB 40, 200, 200' }]);
  assert.equal(await page.$eval('.hover-card', (e) => e.hidden), false);
  const d = await hoverAt(await clientAt('image:/depth/image', 3.5, 1.5));
  assert.deepEqual(d.pixel.values, [{ entity: '/depth/image', kind: 'depth', value: [1750], text: 'depth 1750 (1.75 m)' }]);
  // Mask pixel (1, 1) is class 2, "car" in the context on /seg.
  const m = await hoverAt(await clientAt('image:/seg/mask', 1.5, 1.5));
  assert.deepEqual(m.pixel.values, [{ entity: '/seg/mask', kind: 'class', value: [2], text: 'class 2 car' }]);
});

test('hovering a box or a point reports its instance values and its class label', async () => {
  const box = await hoverAt(await clientAt('image:/cam/image', 20, 12));
  assert.deepEqual([box.entity, box.instance, box.archetype], ['/cam/image/boxes', 1, 'Boxes2D']);
  assert.deepEqual(box.values, { centers: '[22, 14]', class_ids: '2', half_sizes: '[6, 5]', labels: '"right"' });
  assert.equal(box.class_label, 'car');
  const point = await hoverAt(await clientAt('image:/cam/image', 28, 3));
  assert.deepEqual([point.entity, point.instance], ['/cam/image/points', 0]);
  assert.deepEqual(point.values, { class_ids: '2', colors: '#00ff0080', positions: '[28, 3]', radii: '1.5' });
  assert.equal(point.class_label, 'car');
});

test('hovering a plot at a known x reports every series value there; clicking a series selects it', async () => {
  const p = (await page.evaluate(() => window.reel.inspectView('plots:/plots'))).plots[0];
  assert.equal(p.path, '/plots');
  const over = await page.locator('.panel[data-view-id="plots:/plots"] .u-over').boundingBox();
  const x = over.x + ((4 - p.x[0]) / (p.x[1] - p.x[0])) * over.width;
  const h = await hoverAt([x, over.y + over.height / 2]);
  assert.equal(h.plot.path, '/plots');
  assert.equal(h.plot.x, 4);
  assert.deepEqual(h.plot.series.map((s) => [s.name, s.entity, s.x, s.value]), [
    ['a', '/plots/a', 4, 6],
    ['b', '/plots/b', 4, 96],
  ]);
  // The line of b at x = 4 is at y = 96.
  const y = over.y + ((p.y[1] - 96) / (p.y[1] - p.y[0])) * over.height;
  await page.mouse.click(x, y);
  await settle();
  assert.equal((await selection()).entity, '/plots/b');
  await page.keyboard.press('Escape');
});

test('resized panels (tree, selection panel, views) keep their sizes after a reload; so does the selection', async () => {
  const tree = await page.locator('.entity-tree').boundingBox();
  const handle = await page.locator('.splitter[data-splitter="tree"]').boundingBox();
  await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await page.mouse.down();
  await page.mouse.move(handle.x + handle.width / 2 + 60, handle.y + handle.height / 2, { steps: 4 });
  await page.mouse.up();
  const wider = await page.locator('.entity-tree').boundingBox();
  assert.equal(wider.width, tree.width + 60);
  const sel = await page.locator('.selection-panel').boundingBox();
  const h2 = await page.locator('.splitter[data-splitter="selection"]').boundingBox();
  await page.mouse.move(h2.x + h2.width / 2, h2.y + h2.height / 2);
  await page.mouse.down();
  await page.mouse.move(h2.x + h2.width / 2 - 40, h2.y + h2.height / 2, { steps: 4 });
  await page.mouse.up();
  assert.equal((await page.locator('.selection-panel').boundingBox()).width, sel.width + 40);
  // Between two views of a column: the one above grows by what the one below gives (below
  // the 388 px a plots view has at least until it is resized).
  const [above, below] = ['spatial3d:/world', 'plots:/plots'];
  const split = page.locator(`.splitter[data-splitter="${above}|${below}"]`);
  const [a0, b0] = [await page.locator(`.panel[data-view-id="${above}"]`).boundingBox(), await page.locator(`.panel[data-view-id="${below}"]`).boundingBox()];
  const h3 = await split.boundingBox();
  await page.mouse.move(h3.x + h3.width / 2, h3.y + h3.height / 2);
  await page.mouse.down();
  await page.mouse.move(h3.x + h3.width / 2, h3.y + h3.height / 2 + 50, { steps: 4 });
  await page.mouse.up();
  const heights = async () => [
    Math.round((await page.locator(`.panel[data-view-id="${above}"]`).boundingBox()).height),
    Math.round((await page.locator(`.panel[data-view-id="${below}"]`).boundingBox()).height),
  ];
  const resized = await heights();
  // Within a pixel (layout rounds to device pixels).
  assert.ok(Math.abs(resized[0] - (a0.height + 50)) <= 1 && Math.abs(resized[1] - (b0.height - 50)) <= 1, `${[a0.height, b0.height]} -> ${resized}`);
  await page.click('.tree-row[data-entity="/cam/image/points"] .tree-name');
  await page.reload();
  await page.waitForFunction(() => window.reel.status().caught_up, null, { timeout: 60_000 });
  await ready();
  assert.equal((await page.locator('.entity-tree').boundingBox()).width, tree.width + 60);
  assert.equal((await page.locator('.selection-panel').boundingBox()).width, sel.width + 40);
  assert.deepEqual(await heights(), resized);
  assert.equal((await selection()).entity, '/cam/image/points');
  await page.keyboard.press('Escape');
});

test('maximize shows one view filling the views area, plots take that height; restore brings all back; it survives a reload', async () => {
  const id = 'plots:/plots';
  const before = await page.$$eval('.views .panel', (ps) => ps.filter((p) => !p.hidden).length);
  assert.ok(before >= 4, `${before} views`);
  await page.click(`.panel[data-view-id="${id}"] .panel-maximize`);
  await settle();
  await settle();
  const check = async () => {
    const shown = await page.$$eval('.views .panel', (ps) => ps.filter((p) => !p.hidden && p.getBoundingClientRect().width > 0).map((p) => p.dataset.viewId));
    assert.deepEqual(shown, [id]);
    const [area, panel] = await page.evaluate((id) => {
      const v = document.querySelector('.views');
      const cs = getComputedStyle(v);
      const r = v.getBoundingClientRect();
      const p = document.querySelector(`.panel[data-view-id="${id}"]`).getBoundingClientRect();
      return [
        [r.left + parseFloat(cs.paddingLeft), r.top + parseFloat(cs.paddingTop), r.width - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight), r.height - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom)],
        [p.left, p.top, p.width, p.height],
      ];
    }, id);
    assert.deepEqual(panel, area);
    // The one plot takes the list's height (less its 8 px of slack, within a pixel or two).
    const [list, plot] = await page.$eval(`.panel[data-view-id="${id}"] .plot-list`, (l) => [l.clientHeight, l.querySelector('.plot').offsetHeight + 6]);
    assert.ok(plot <= list && plot >= list - 12, `plot ${plot} px in a list of ${list} px`);
  };
  await check();
  await page.screenshot({ path: join(screenshotDir(), 'inspect-maximized.png') });
  await page.reload();
  await page.waitForFunction(() => window.reel.status().caught_up, null, { timeout: 60_000 });
  await ready();
  await settle();
  await check();
  await page.click(`.panel[data-view-id="${id}"] .panel-maximize`);
  await settle();
  assert.equal(await page.$$eval('.views .panel', (ps) => ps.filter((p) => !p.hidden).length), before);
  await page.screenshot({ path: join(screenshotDir(), 'inspect.png') });
});

test('the pages reported no errors', () => {
  assert.deepEqual(errors, []);
});
