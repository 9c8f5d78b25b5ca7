// Computer-vision scenes (tests/scenes_recording.cpp) served by `reel view`, in headless
// Chromium: 2D overlays over an image in image pixels, draw order, labels, zoom and pan,
// standalone 2D views, class colors from an AnnotationContext (segmentation overlay, 2D and
// 3D points), Clear, styled multi-instance series, cameras, and the entity tree's "not
// displayed" marking. Pixels are read from the view's canvas at the device position of a
// known scene coordinate, using the transform the view reports (window.reel.inspectView).
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
const errors = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reel-viewer-test-'));
  const file = join(dir, 'scenes.reel');
  await run(env('REEL_SCENES_BIN'), [file]);
  server = startProcess(env('REEL_BIN'), ['view', file, '--port', '0', '--ingest-port', '0'], [/reel: viewer at (http:\/\/\S+)/]);
  const [url] = await server.found;
  browser = await launchBrowser();
  page = await openViewer(browser.context, url, errors);
  await page.waitForFunction(() => document.querySelector('.panel[data-view-title="/overlay/image"]'), null, { timeout: 30_000 });
  await nextFrames(page);
  await nextFrames(page);
  await page.screenshot({ path: join(screenshotDir(), 'scenes.png') });
});

after(async () => {
  await browser?.close();
  stop(server?.child);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Resolves once every view has been updated twice more (views update at most every 250 ms). */
async function settle() {
  const n = await page.evaluate(() => window.reel.status().view_updates);
  await page.waitForFunction((n) => window.reel.status().view_updates >= n + 2, n, { timeout: 20_000 });
}

function inspect(id) {
  return page.evaluate((id) => window.reel.inspectView(id), id);
}

/** RGB of a 2D view's canvas at scene coordinates (the view's reported transform). */
async function scenePixels(id, points) {
  const s = await inspect(id);
  assert.ok(s, `no view ${id}`);
  const at = points.map(([x, y]) => [Math.floor(x * s.scale + s.origin[0]), Math.floor(y * s.scale + s.origin[1])]);
  return page.$eval(`.panel[data-view-title="${s.root}"][data-view-kind="${s.kind}"] .view2d-canvas`, (c, at) => {
    const g = c.getContext('2d');
    return at.map(([x, y]) => Array.from(g.getImageData(x, y, 1, 1).data.subarray(0, 3)));
  }, at);
}

const kGray = [40, 40, 40];
const kRed = [255, 0, 0];
const kGreen = [0, 255, 0];
const kBlue = [0, 0, 255];
const kYellow = [255, 255, 0];
const kMagenta = [255, 0, 255];

test('boxes, points, strips and arrows logged under an image are drawn over it in image pixels', async () => {
  const id = 'image:/overlay/image';
  const s = await inspect(id);
  assert.deepEqual(s.bounds, [0, 0, 64, 48]);
  assert.ok(s.scale > 3, `scale ${s.scale}`);
  assert.deepEqual(s.counts, { Points2D: 4, Boxes2D: 1, LineStrips2D: 1, Arrows2D: 1, images: 1 });
  const px = await scenePixels(id, [
    [60, 4], // the image
    [20, 8], // the box's top edge
    [10, 16], // its left edge
    [20, 16], // inside the box: only an outline
    [40, 30], // a point
    [12, 30], // the other point
    [30, 40], // the strip
    [38, 6], // the arrow's shaft
    [53.5, 6], // just before its tip
  ]);
  assert.deepEqual(px, [kGray, kRed, kRed, kGray, kGreen, kMagenta, kBlue, kYellow, kYellow]);
});

test('draw order: the higher draw order is on top, whatever the log order', async () => {
  const s = await inspect('image:/overlay/image');
  assert.deepEqual(s.layers, [
    '/overlay/image image -10',
    '/overlay/image/box Boxes2D 10',
    '/overlay/image/arrow Arrows2D 20',
    '/overlay/image/strip LineStrips2D 20',
    '/overlay/image/points Points2D 30',
    '/overlay/image/under Points2D 35',
    '/overlay/image/top Points2D 40',
  ]);
  assert.deepEqual(await scenePixels('image:/overlay/image', [[52, 20]]), [kRed]);
});

test('labels: their text and anchors as drawn', async () => {
  const s = await inspect('image:/overlay/image');
  assert.deepEqual(s.labels, [
    { entity: '/overlay/image/box', text: 'det 0', x: 10, y: 8 },
    { entity: '/overlay/image/points', text: 'kp a', x: 40, y: 30 },
    { entity: '/overlay/image/points', text: 'kp b', x: 12, y: 30 },
  ]);
});

test('the header says what the image is', async () => {
  assert.equal(await page.$eval('.panel[data-view-title="/overlay/image"] .panel-info', (e) => e.textContent), '64×48 RGB u8');
});

test('zoom about the cursor, pan by dragging, double click fits again', async () => {
  const id = 'image:/overlay/image';
  const sel = '.panel[data-view-title="/overlay/image"] .view2d-canvas';
  const before = await inspect(id);
  const box = await page.locator(sel).boundingBox();
  const dpr = await page.evaluate(() => window.devicePixelRatio || 1);
  // The scene point under the cursor stays under it.
  const mx = Math.round(box.x + box.width / 2);
  const my = Math.round(box.y + box.height / 2);
  const scene = [((mx - box.x) * dpr - before.origin[0]) / before.scale, ((my - box.y) * dpr - before.origin[1]) / before.scale];
  await page.mouse.move(mx, my);
  await page.mouse.wheel(0, -400);
  await settle();
  const zoomed = await inspect(id);
  assert.ok(Math.abs(zoomed.scale / before.scale - Math.exp(0.6)) < 1e-6, `zoom ${zoomed.scale / before.scale}`);
  const after = [((mx - box.x) * dpr - zoomed.origin[0]) / zoomed.scale, ((my - box.y) * dpr - zoomed.origin[1]) / zoomed.scale];
  assert.ok(Math.abs(after[0] - scene[0]) < 1e-6 && Math.abs(after[1] - scene[1]) < 1e-6, `${scene} -> ${after}`);
  assert.deepEqual(await scenePixels(id, [[40, 30], [20, 16]]), [kGreen, kGray]);
  await page.mouse.down();
  await page.mouse.move(mx + 30, my + 20);
  await page.mouse.up();
  await settle();
  const panned = await inspect(id);
  assert.deepEqual([panned.origin[0] - zoomed.origin[0], panned.origin[1] - zoomed.origin[1]], [30 * dpr, 20 * dpr]);
  assert.deepEqual(await scenePixels(id, [[40, 30]]), [kGreen]);
  await page.dblclick(sel);
  await settle();
  const reset = await inspect(id);
  assert.equal(reset.scale, before.scale);
  assert.deepEqual(reset.origin, before.origin);
});

test('standalone 2D points get a 2D view of their subtree', async () => {
  const s = await inspect('spatial2d:/plane');
  assert.ok(s, 'no 2D view of /plane');
  assert.deepEqual(s.entities, ['/plane/points']);
  assert.equal(s.counts.Points2D, 2);
  assert.deepEqual(s.labels.map((l) => l.text), ['a', 'b']);
  assert.deepEqual(await scenePixels('spatial2d:/plane', [[0, 0], [100, 50], [50, 25]]), [[0, 255, 255], [0, 255, 255], [11, 12, 15]]);
});

test('class colors and labels from an AnnotationContext: segmentation overlay and keypoints', async () => {
  const id = 'image:/seg/image';
  const s = await inspect(id);
  assert.deepEqual(s.labels.map((l) => `${l.entity} ${l.text}`), ['/seg/image/keypoints person', '/seg/image/keypoints car']);
  // The opaque mask: class 1 red, class 2 blue, class 0 transparent; the keypoints in class colors.
  assert.deepEqual(await scenePixels(id, [[5, 20], [35, 20], [20, 2], [10, 5], [30, 5]]), [kRed, kBlue, kGray, kRed, kBlue]);
  // Hiding the opaque mask shows the other one at Rerun's default opacity, 0.5.
  await page.click('.tree-row[data-entity="/seg/image/mask"] input');
  await settle();
  const [blend] = await scenePixels(id, [[5, 20]]);
  await page.click('.tree-row[data-entity="/seg/image/mask"] input');
  await settle();
  const expected = [0.5 * 255 + 0.5 * 40, 20, 20];
  blend.forEach((v, k) => assert.ok(Math.abs(v - expected[k]) <= 2, `blended ${blend}, expected ${expected}`));
  assert.deepEqual(await scenePixels(id, [[5, 20]]), [kRed]);
});

test('3D points take their class color and label from an AnnotationContext; labels are drawn in 3D', async () => {
  const s = await inspect('spatial3d:/seg3d');
  assert.deepEqual(s.labels.map((l) => `${l.entity} ${l.text}`), ['/seg3d/points left', '/seg3d/points right']);
  const box = await page.locator('.panel-spatial3d[data-view-title="/seg3d"] canvas').boundingBox();
  for (const l of s.labels) assert.ok(l.x > 0 && l.x < box.width && l.y > 0 && l.y < box.height, `label at ${l.x},${l.y}`);
  const texts = await page.$$eval('.panel-spatial3d[data-view-title="/seg3d"] .label3d', (els) => els.map((e) => e.textContent));
  assert.deepEqual(texts, ['left', 'right']);
  // The class color (0, 255, 0), shaded toward the disc's rim.
  const green = await page.$eval('.panel-spatial3d[data-view-title="/seg3d"] canvas', (canvas) => {
    const c = document.createElement('canvas');
    c.width = canvas.width;
    c.height = canvas.height;
    const g = c.getContext('2d');
    g.drawImage(canvas, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i] === 0 && d[i + 1] >= 250 && d[i + 2] === 0) n++;
    return n;
  });
  assert.ok(green > 100, `${green} pixels of the class color`);
});

/** Sets the time cursor on the frame timeline (follow off). */
async function setFrame(f) {
  if ((await page.$eval('.timeline-follow', (e) => e.dataset.on)) === 'true') await page.click('.timeline-follow');
  await page.evaluate((f) => window.reel.setTime(BigInt(f)), f);
  await settle();
  await settle();
  assert.equal(await page.$eval('.timeline', (e) => e.dataset.time), String(f));
}

test('Clear: flat clears one entity, recursive a subtree, until logged again; in 2D, 3D and images', async () => {
  await setFrame(3);
  let s = await inspect('spatial2d:/clear');
  assert.equal(s.counts.Points2D, 3);
  assert.deepEqual(s.layers, ['/clear/flat Points2D 30', '/clear/tree/a Points2D 30', '/clear/tree/b Points2D 30']);
  assert.equal((await inspect('spatial3d:/clear3d')).points, 1);
  assert.equal((await inspect('image:/clearimg/image')).counts.images, 1);
  await setFrame(6);
  s = await inspect('spatial2d:/clear');
  assert.equal(s.counts.Points2D, 0);
  assert.equal((await inspect('spatial3d:/clear3d')).points, 0);
  assert.equal((await inspect('image:/clearimg/image')).counts.images, 0);
  assert.equal(await page.$eval('.panel[data-view-title="/clearimg/image"] .panel-message', (e) => e.textContent), 'no image at this time');
  await setFrame(9);
  // /clear/tree/b was logged again at frame 7.
  s = await inspect('spatial2d:/clear');
  assert.equal(s.counts.Points2D, 1);
  assert.deepEqual(s.layers, ['/clear/tree/b Points2D 30']);
});

test('every instance of a multi-instance Scalars is a series; SeriesPoints markers and SeriesLines widths are drawn', async () => {
  await setFrame(9);
  const { plots } = await inspect('plots:/series');
  const p = plots.find((x) => x.path === '/series');
  const summary = p.series.map((s) => [s.entity, s.instance, s.name, s.color, s.width, s.marker, s.markerSize, s.points]);
  assert.deepEqual(summary, [
    ['/series/markers', 0, 'markers', 0x00ffffff, 0, 1, 6, 10],
    ['/series/multi', 0, 'a', 0xff0000ff, 1.25, null, 3, 10],
    ['/series/multi', 1, 'b', 0x00ff00ff, 1.25, null, 3, 10],
    ['/series/multi', 2, 'c', 0x0000ffff, 1.25, null, 3, 10],
    ['/series/wide', 0, 'wide', 0xff00ffff, 6, null, 3, 10],
  ]);
  assert.deepEqual(await page.$$eval('.plot[data-plot="/series"] .u-legend .u-label', (els) => els.map((e) => e.textContent)), ['frame', 'markers', 'a', 'b', 'c', 'wide']);
  const dpr = await page.evaluate(() => window.devicePixelRatio || 1);
  const markers = p.series[0].markers;
  assert.equal(markers.length, 10);
  // Square markers of radius 6: a point 4.5 px off the center diagonally (6.4 px away) is
  // inside the square, not in a circle of that radius.
  const [mx, my] = markers[7];
  const [bx, by, bw, bh] = p.bbox;
  const toPx = (x, y) => [bx + ((x - p.x[0]) / (p.x[1] - p.x[0])) * bw, by + (1 - (y - p.y[0]) / (p.y[1] - p.y[0])) * bh];
  const [wx, wy] = toPx(2, 5);
  const probe = await page.$eval('.plot[data-plot="/series"] canvas', (c, [mx, my, wx, wy, dpr]) => {
    const g = c.getContext('2d');
    const at = (x, y) => Array.from(g.getImageData(Math.round(x), Math.round(y), 1, 1).data.subarray(0, 3));
    // The wide line's thickness: magenta pixels in the column through (frame 2, 5).
    let run = 0;
    for (let y = Math.round(wy - 20 * dpr); y <= Math.round(wy + 20 * dpr); y++) {
      const [r, gg, b] = at(wx, y);
      if (r > 200 && gg < 60 && b > 200) run++;
    }
    return { corner: at(mx + 4.5 * dpr, my + 4.5 * dpr), center: at(mx, my), run };
  }, [mx, my, wx, wy, dpr]);
  assert.deepEqual(probe.center, [0, 255, 255]);
  assert.ok(probe.corner[0] < 40 && probe.corner[1] > 215 && probe.corner[2] > 215, `corner ${probe.corner}`);
  assert.ok(Math.abs(probe.run - 6 * dpr) <= 1.5, `the 6-point line is ${probe.run} pixels thick`);
});

/** How many pixels of a (WebGL) canvas are within 40 of each color. */
function colorCounts(selector, colors) {
  return page.$eval(selector, (canvas, colors) => {
    const c = document.createElement('canvas');
    c.width = canvas.width;
    c.height = canvas.height;
    const g = c.getContext('2d');
    g.drawImage(canvas, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const counts = colors.map(() => 0);
    for (let i = 0; i < d.length; i += 4) {
      colors.forEach(([r, gg, b], k) => {
        if (Math.abs(d[i] - r) < 40 && Math.abs(d[i + 1] - gg) < 40 && Math.abs(d[i + 2] - b) < 40) counts[k]++;
      });
    }
    return counts;
  }, colors);
}

test('a Pinhole in 3D: its frustum, its image with 2D overlays on the image plane, a depth image back-projected', async () => {
  const s = await inspect('spatial3d:/world');
  assert.equal(s.objects.camera, 2);
  assert.equal(s.objects.depth, 1);
  // 16 x 12 pixels, one column of zeros (invalid).
  assert.equal(s.depthPoints, 16 * 12 - 12);
  assert.deepEqual(s.planes, ['/world/camera']);
  const [frustum, image, box] = await colorCounts('.panel-spatial3d[data-view-title="/world"] canvas', [
    [255, 128, 0],
    [0, 80, 160],
    [255, 255, 0],
  ]);
  assert.ok(frustum > 40, `${frustum} frustum pixels`);
  assert.ok(image > 300, `${image} image-plane pixels`);
  assert.ok(box > 10, `${box} pixels of the box on the image plane`);
  await page.locator('.panel-spatial3d[data-view-title="/world"]').screenshot({ path: join(screenshotDir(), 'scenes-camera3d.png') });
});

test('the transform chain: named frames, the inverse relation, axis-angle rotations', async () => {
  const { origins } = await inspect('spatial3d:/frames');
  assert.deepEqual(origins['/frames/robot'], [5, 0, 0]);
  assert.deepEqual(origins['/frames/sensor'], [5, 0, 1]);
  // The edges move frames, not the entities they are logged on.
  assert.deepEqual(origins['/frames/tf/base'], [0, 0, 0]);
  assert.deepEqual(origins['/frames/inverse'], [-1, -2, -3]);
  assert.deepEqual(origins['/frames/turn/p'], [0, 1, 0]);
});

test('a Pinhole with a parent_frame: its frustum is drawn where the frame chain puts that frame', async () => {
  const { origins, frustums } = await inspect('spatial3d:/frames');
  // odom -> base_link (5, 0, 0) -> lidar (0, 0, 1) -> cam_optical (0, 1, 0).
  assert.deepEqual(origins['/frames/cam'], [5, 1, 1]);
  // f = 8, 16 x 12 pixels, image plane at 1 along the camera's +Z (RDF): x +-1, y +-0.75.
  assert.deepEqual(frustums['/frames/cam'], [
    [4, 0.25, 1],
    [6, 1.75, 2],
  ]);
});

test('meshes, glTF/OBJ/STL assets, ellipsoids, capsules, cylinders and instance poses in 3D', async () => {
  await page.waitForFunction(() => window.reel.inspectView('spatial3d:/shapes3d')?.assetsLoaded === 3, null, { timeout: 20_000 });
  await settle();
  const s = await inspect('spatial3d:/shapes3d');
  assert.deepEqual(s.objects, { mesh: 2, boxes: 1, ellipsoids: 1, capsules: 1, cylinders: 1, asset: 3 });
  // A box turned a quarter about Z by rotation_axis_angles.
  assert.deepEqual(s.boxes['/shapes3d/box'], [[0, 0, 0.7071, 0.7071]]);
  assert.equal(s.instances, 3);
  const counts = await page.$eval('.panel-spatial3d[data-view-title="/shapes3d"] canvas', (canvas) => {
    const c = document.createElement('canvas');
    c.width = canvas.width;
    c.height = canvas.height;
    const g = c.getContext('2d');
    g.drawImage(canvas, 0, 0);
    const d = g.getImageData(0, 0, c.width, c.height).data;
    const hi = (v) => v > 120;
    const lo = (v) => v < 70;
    const kinds = {
      red: (r, gg, b) => hi(r) && lo(gg) && lo(b),
      green: (r, gg, b) => lo(r) && hi(gg) && lo(b),
      blue: (r, gg, b) => lo(r) && lo(gg) && hi(b),
      yellow: (r, gg, b) => hi(r) && hi(gg) && lo(b) && Math.abs(r - gg) < 40,
      magenta: (r, gg, b) => hi(r) && lo(gg) && hi(b),
      cyan: (r, gg, b) => lo(r) && hi(gg) && hi(b),
      orange: (r, gg, b) => hi(r) && gg > 50 && gg < r - 50 && lo(b),
      white: (r, gg, b) => r > 200 && gg > 200 && b > 200,
      purple: (r, gg, b) => r > 70 && r < 190 && lo(gg) && hi(b) && b > r + 40,
    };
    const out = Object.fromEntries(Object.keys(kinds).map((k) => [k, 0]));
    for (let i = 0; i < d.length; i += 4) for (const [k, f] of Object.entries(kinds)) if (f(d[i], d[i + 1], d[i + 2])) out[k]++;
    return out;
  });
  for (const [k, n] of Object.entries(counts)) assert.ok(n > 30, `${k}: ${n} pixels (${JSON.stringify(counts)})`);
  await page.locator('.panel-spatial3d[data-view-title="/shapes3d"]').screenshot({ path: join(screenshotDir(), 'scenes-shapes3d.png') });
});

test('in 2D, a camera is its image space: its image and the boxes under it', async () => {
  const id = 'spatial2d:/world/camera';
  const s = await inspect(id);
  assert.deepEqual(s.entities, ['/world/camera', '/world/camera/image', '/world/camera/image/box']);
  assert.deepEqual(s.bounds, [0, 0, 64, 48]);
  assert.deepEqual(await scenePixels(id, [[10, 10], [32, 16], [32, 24]]), [[0, 80, 160], kYellow, [0, 80, 160]]);
});

test('the entity tree marks entities no view draws', async () => {
  const marked = await page.$$eval('.tree-row[data-not-displayed="true"]', (rows) => rows.map((r) => r.dataset.entity));
  assert.deepEqual(marked, ['/misc/any']);
  assert.equal(await page.$eval('.tree-row[data-entity="/misc/any"] .tree-undrawn-note', (e) => e.textContent), 'not displayed');
});

/** RGB of a canvas view's canvas at device pixels. */
function canvasPixels(selector, at) {
  return page.$eval(selector, (c, at) => {
    const g = c.getContext('2d');
    return at.map(([x, y]) => Array.from(g.getImageData(Math.floor(x), Math.floor(y), 1, 1).data.subarray(0, 3)));
  }, at);
}

test('a depth image takes its colormap and depth range', async () => {
  const px = await page.$eval('.panel[data-view-title="/depth2d/depth"] .image-canvas', (c) =>
    Array.from({ length: 4 }, (_, x) => Array.from(c.getContext('2d').getImageData(x, 0, 1, 1).data.subarray(0, 3))),
  );
  assert.deepEqual(px, [[0, 0, 0], [64, 64, 64], [128, 128, 128], [191, 191, 191]]);
});

test('a bar chart: one bar per value, in its color', async () => {
  const s = await inspect('bar_chart:/charts/bars');
  assert.deepEqual(s.bars, [
    { x: 0, width: 1, value: 1 },
    { x: 1, width: 1, value: 3 },
    { x: 2, width: 1, value: 2 },
  ]);
  const t = s.transform;
  const px = (x, y) => [x * t.sx + t.ox, y * t.sy + t.oy];
  assert.deepEqual(await canvasPixels('.panel-bar_chart[data-view-title="/charts/bars"] canvas', [px(1, 2.5), px(0, 0.5), px(0, 2), px(2, 1.5), px(2, 2.5)]), [
    kRed,
    kRed,
    [11, 12, 15],
    kRed,
    [11, 12, 15],
  ]);
});

test('a graph: nodes at their positions or laid out on a circle, directed edges, labels', async () => {
  const s = await inspect('graph:/graph');
  assert.deepEqual(s.nodes.map((n) => [n.id, n.x, n.y, n.label]), [['a', 0, 0, 'A'], ['b', 100, 0, 'B'], ['c', 50, 80, 'C']]);
  assert.deepEqual(s.edges, [{ from: 'a', to: 'b', directed: true }, { from: 'b', to: 'c', directed: true }]);
  assert.deepEqual(await canvasPixels('.panel-graph[data-view-title="/graph"] canvas', s.nodes.map((n) => n.px)), [kGreen, kGreen, kGreen]);
  const laidOut = await inspect('graph:/graph2');
  assert.deepEqual(laidOut.nodes.map((n) => [n.id, Math.round(n.x), Math.round(n.y)]), [['x', 0, -100], ['y', 100, 0], ['z', 0, 100], ['w', -100, 0]]);
});

test('GeoPoints and GeoLineStrings on a latitude/longitude plot', async () => {
  const s = await inspect('map:/geo');
  assert.deepEqual(s.points.map((p) => [p.lat, p.lon]), [[45, 7], [46, 8]]);
  assert.deepEqual(s.lines, [{ entity: '/geo/track', points: 2 }]);
  const px = s.points.map((p) => p.px);
  // North is up, east is right.
  assert.ok(px[1][0] > px[0][0] && px[1][1] < px[0][1], `${px}`);
  const mid = [(px[0][0] + px[1][0]) / 2, (px[0][1] + px[1][1]) / 2];
  assert.deepEqual(await canvasPixels('.panel-map[data-view-title="/geo"] canvas', [...px, mid]), [kBlue, kBlue, kYellow]);
});

test('the page reported no errors', () => {
  assert.deepEqual(errors, []);
});
