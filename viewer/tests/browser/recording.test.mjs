// A recording written by reel-demo, served by `reel view`, in headless Chromium: the entity
// tree, every view type with real content, scrubbing, level filter and entity visibility.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  canvasDataUrl,
  canvasStats,
  env,
  launchBrowser,
  nextFrames,
  openViewer,
  pixelDiff,
  run,
  screenshotDir,
  startProcess,
  stop,
  treeEntities,
} from './helpers.mjs';

const kFrames = 120;
let dir;
let server;
let browser;
let page;
const errors = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reel-viewer-test-'));
  const file = join(dir, 'demo.reel');
  await run(env('REEL_DEMO_BIN'), [String(kFrames), '--save', file]);
  server = startProcess(env('REEL_BIN'), ['view', file, '--port', '0', '--ingest-port', '0'], [/reel: viewer at (http:\/\/\S+)/]);
  const [url] = await server.found;
  browser = await launchBrowser();
  page = await openViewer(browser.context, url, errors);
  await page.waitForFunction(() => Number(document.body.dataset.views) >= 4, null, { timeout: 30_000 });
  await nextFrames(page);
});

after(async () => {
  if (page) await page.screenshot({ path: join(screenshotDir(), 'recording-end.png') }).catch(() => {});
  await browser?.close();
  stop(server?.child);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Sets the time cursor by clicking the timeline track at a fraction of its width. */
async function clickTrack(fraction) {
  const box = await page.locator('.timeline-track').boundingBox();
  await page.mouse.click(box.x + box.width * fraction, box.y + box.height / 2);
  await nextFrames(page);
  return BigInt(await page.$eval('.timeline', (e) => e.dataset.time));
}

test('the entity tree lists every entity of the recording', async () => {
  const entities = await treeEntities(page);
  for (const e of ['/world', '/world/lidar', '/world/robot', '/world/robot/path', '/camera/rgb', '/logs', '/plots/p0', '/plots/p8']) {
    assert.ok(entities.includes(e), `${e} missing from the tree: ${entities.join(' ')}`);
  }
  // Each plot group's five series start folded; unfolding shows them.
  assert.ok(!entities.includes('/plots/p3/s0'));
  await page.click('.tree-row[data-entity="/plots/p3"] .tree-toggle');
  // The tree is drawn again on the next frame: wait for it (a loaded machine's frame is late).
  await page.waitForSelector('.tree-row[data-entity="/plots/p3/s4"]', { timeout: 10_000 });
  const unfolded = await treeEntities(page);
  for (let j = 0; j < 5; j++) assert.ok(unfolded.includes(`/plots/p3/s${j}`), unfolded.join(' '));
  assert.equal(unfolded.length, entities.length + 5);
  const lidar = await page.$eval('.tree-row[data-entity="/world/lidar"] .tree-kinds', (e) => e.textContent);
  assert.match(lidar, /Points3D/);
  assert.equal(await page.$eval('.timeline-select', (s) => s.value), 'frame');
  assert.equal(await page.$eval('.timeline', (e) => e.dataset.max), String(kFrames - 1));
  await page.screenshot({ path: join(screenshotDir(), 'recording.png') });
});

test('the 3D view draws the point cloud, the robot box and its path', async () => {
  const view = page.locator('.panel-spatial3d[data-view-title="/world"]');
  assert.equal(await view.getAttribute('data-points'), '2000');
  const stats = await canvasStats(page, '.panel-spatial3d canvas');
  assert.ok(stats.width > 300 && stats.height > 200, `canvas ${stats.width}x${stats.height}`);
  assert.ok(stats.foreground > 2000, `only ${stats.foreground} non-background pixels`);
  assert.ok(stats.colorful > 1500, `only ${stats.colorful} colored pixels`);
  assert.ok(stats.colors > 30, `only ${stats.colors} colors`);
  // The orange box (255, 120, 0) of /world/robot is drawn.
  const orange = await page.$eval('.panel-spatial3d canvas', (canvas) => {
    const c = document.createElement('canvas');
    c.width = canvas.width;
    c.height = canvas.height;
    const g = c.getContext('2d');
    g.drawImage(canvas, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < px.length; i += 4) if (px[i] > 200 && px[i + 1] > 80 && px[i + 1] < 160 && px[i + 2] < 60) n++;
    return n;
  });
  assert.ok(orange > 20, `only ${orange} orange pixels of the robot box`);
});

test('the image view shows the raw pixels of the latest image', async () => {
  const info = await page.$eval('.panel-image .panel-info', (e) => e.textContent);
  assert.equal(info, '64×48 RGB u8');
  // examples/demo.cpp: pixel (x, y) of frame f = (x * 4 + f, y * 5, 128 + f) as u8; the latest
  // image at the last frame (119) is frame 110's.
  const px = await page.$eval('.panel-image canvas', (c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    const at = (x, y) => Array.from(d.subarray((y * c.width + x) * 4, (y * c.width + x) * 4 + 3));
    return { w: c.width, h: c.height, a: at(0, 0), b: at(10, 7), c: at(63, 47) };
  });
  const f = 110;
  assert.deepEqual([px.w, px.h], [64, 48]);
  assert.deepEqual(px.a, [f & 255, 0, (128 + f) & 255]);
  assert.deepEqual(px.b, [(40 + f) & 255, 35, (128 + f) & 255]);
  assert.deepEqual(px.c, [(252 + f) & 255, 235, (128 + f) & 255]);
});

test('the plots view draws one plot per parent with a series per entity', async () => {
  const plots = await page.$$eval('.plot', (els) => els.map((e) => ({ path: e.dataset.plot, points: Number(e.dataset.points) })));
  assert.equal(plots.length, 9, JSON.stringify(plots));
  assert.deepEqual(plots.map((p) => p.path), Array.from({ length: 9 }, (_, i) => `/plots/p${i}`));
  for (const p of plots) assert.equal(p.points, 5 * kFrames, `${p.path}: ${p.points} points`);
  const labels = await page.$$eval('.plot[data-plot="/plots/p3"] .u-legend .u-label', (els) => els.map((e) => e.textContent));
  assert.deepEqual(labels, ['frame', 's0', 's1', 's2', 's3', 's4']);
  const stats = await canvasStats(page, '.plot[data-plot="/plots/p3"] canvas');
  assert.ok(stats.foreground > 500, `plot has ${stats.foreground} drawn pixels`);
  assert.ok(stats.colors >= 5, `plot has ${stats.colors} colors`);
});

test('the text log lists rows up to the cursor and filters by level', async () => {
  const rows = () => page.$$eval('.log-row', (els) => els.map((e) => [...e.children].map((td) => td.textContent)));
  const all = await rows();
  // demo.cpp logs at frames 0, 25, 50, 75, 100; frames 0 and 100 as WARN.
  assert.deepEqual(all.map((r) => r[3]), [0, 25, 50, 75, 100].map((f) => `frame ${f} processed`));
  assert.deepEqual(all.map((r) => r[2]), ['WARN', 'INFO', 'INFO', 'INFO', 'WARN']);
  assert.equal(all[4][0], '#100');
  await page.click('.level-filter input[data-level="WARN"]');
  await nextFrames(page);
  assert.deepEqual((await rows()).map((r) => r[3]), ['frame 25 processed', 'frame 50 processed', 'frame 75 processed']);
  await page.click('.level-filter input[data-level="WARN"]');
  await nextFrames(page);
  assert.equal((await rows()).length, 5);
});

test('scrubbing the timeline changes the 3D view, the image and the logs', async () => {
  const late = await clickTrack(0.97);
  assert.ok(late > 100n, `time ${late}`);
  const before3d = await canvasDataUrl(page, '.panel-spatial3d canvas');
  const early = await clickTrack(0.05);
  assert.ok(early < 20n, `time ${early}`);
  assert.equal(await page.$eval('.timeline-time', (e) => e.textContent), `#${early}`);
  assert.equal(await page.$eval('.timeline-follow', (e) => e.dataset.on), 'false');
  const after3d = await canvasDataUrl(page, '.panel-spatial3d canvas');
  const changed = await pixelDiff(page, before3d, after3d);
  assert.ok(changed > 500, `only ${changed} pixels changed in the 3D view`);
  // The image is frame 0's (or 10's) now: pixel (0, 0) = (f, 0, 128 + f).
  const a = await page.$eval('.panel-image canvas', (c) => Array.from(c.getContext('2d').getImageData(0, 0, 1, 1).data.subarray(0, 3)));
  const f = early >= 10n ? 10 : 0;
  assert.deepEqual(a, [f, 0, 128 + f]);
  const logs = await page.$$eval('.log-row', (els) => els.length);
  assert.equal(logs, 1);
  // Arrow keys step one frame.
  await page.focus('.timeline-track');
  await page.keyboard.press('ArrowRight');
  await nextFrames(page);
  assert.equal(BigInt(await page.$eval('.timeline', (e) => e.dataset.time)), early + 1n);
  await page.screenshot({ path: join(screenshotDir(), 'recording-scrubbed.png') });
});

test('hiding an entity in the tree removes it from the 3D view', async () => {
  const before = await canvasStats(page, '.panel-spatial3d canvas');
  await page.click('.tree-row[data-entity="/world/lidar"] input');
  await page.waitForFunction(() => document.querySelector('.panel-spatial3d').dataset.points === '0');
  await nextFrames(page);
  const hidden = await canvasStats(page, '.panel-spatial3d canvas');
  // The cloud's colored pixels are gone; the robot box (orange) stays.
  assert.ok(hidden.colorful < before.colorful * 0.3, `${hidden.colorful} vs ${before.colorful} colored pixels`);
  assert.ok(hidden.colorful > 20, `${hidden.colorful} colored pixels left`);
  await page.click('.tree-row[data-entity="/world/lidar"] input');
  await page.waitForFunction(() => document.querySelector('.panel-spatial3d').dataset.points === '2000');
});

test('playback advances the cursor', async () => {
  const t0 = BigInt(await page.$eval('.timeline', (e) => e.dataset.time));
  await page.click('.timeline-play');
  await page.waitForFunction((t) => BigInt(document.querySelector('.timeline').dataset.time) > BigInt(t) + 3n, String(t0), { timeout: 30_000 });
  await page.click('.timeline-play');
  // The button's state is written on the next animation frame.
  await page.waitForFunction(() => document.querySelector('.timeline-play').dataset.playing === 'false', null, { timeout: 30_000 });
});

test('the page reported no errors', () => {
  assert.deepEqual(errors, []);
});
