// The archetypes examples/demo.cpp does not log (tests/archetypes_recording.cpp), served by
// `reel view`: an encoded PNG, a depth image, a tensor, Markdown and plain documents, arrows,
// rotated boxes, a rotating transform, a named colored series, every log level.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  canvasDataUrl,
  env,
  launchBrowser,
  nextFrames,
  openViewer,
  pixelDiff,
  run,
  screenshotDir,
  startProcess,
  stop,
} from './helpers.mjs';

let dir;
let server;
let browser;
let page;
const errors = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reel-viewer-test-'));
  const file = join(dir, 'archetypes.reel');
  await run(env('REEL_ARCHETYPES_BIN'), [file]);
  server = startProcess(env('REEL_BIN'), ['view', file, '--port', '0', '--ingest-port', '0'], [/reel: viewer at (http:\/\/\S+)/]);
  const [url] = await server.found;
  browser = await launchBrowser();
  page = await openViewer(browser.context, url, errors);
  await page.waitForFunction(() => Number(document.body.dataset.views) >= 8, null, { timeout: 30_000 });
  // The PNG decodes asynchronously.
  await page.waitForFunction(() => document.querySelector('.panel-image[data-view-title="/images/png"] .panel-info')?.textContent !== '');
  await nextFrames(page);
  await page.screenshot({ path: join(screenshotDir(), 'archetypes.png') });
});

after(async () => {
  await browser?.close();
  stop(server?.child);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Pixels of a 2D canvas at the given points. */
function pixels(selector, points) {
  return page.$eval(selector, (c, pts) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    return { w: c.width, h: c.height, px: pts.map(([x, y]) => Array.from(d.subarray((y * c.width + x) * 4, (y * c.width + x) * 4 + 3))) };
  }, points);
}

/** How many pixels of a canvas are close to each of the given colors. */
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

test('an encoded PNG is decoded by the browser with its exact pixels', async () => {
  const sel = '.panel-image[data-view-title="/images/png"]';
  assert.equal(await page.$eval(`${sel} .panel-info`, (e) => e.textContent), '16×12 image/png');
  const { w, h, px } = await pixels(`${sel} canvas`, [[0, 0], [5, 3], [15, 11]]);
  assert.deepEqual([w, h], [16, 12]);
  assert.deepEqual(px, [[0, 0, 200], [80, 48, 200], [240, 176, 200]]);
});

test('a depth image is drawn with a color map, invalid depth black', async () => {
  const sel = '.panel-image[data-view-title="/images/depth"]';
  assert.equal(await page.$eval(`${sel} .panel-info`, (e) => e.textContent), '32×24 depth u16');
  const { px } = await pixels(`${sel} canvas`, [[0, 5], [1, 5], [31, 5]]);
  assert.deepEqual(px[0], [0, 0, 0]);
  assert.notDeepEqual(px[1], px[2]);
  assert.ok(px[1][2] > px[1][0], `near is blue: ${px[1]}`);
  assert.ok(px[2][0] > px[2][2], `far is red: ${px[2]}`);
});

test('a 2D f32 tensor is shown as a grayscale image', async () => {
  const sel = '.panel-image[data-view-title="/images/tensor"]';
  assert.equal(await page.$eval(`${sel} .panel-info`, (e) => e.textContent), 'tensor [16, 16] f32');
  const { w, h, px } = await pixels(`${sel} canvas`, [[0, 0], [15, 0], [5, 9]]);
  assert.deepEqual([w, h], [16, 16]);
  assert.deepEqual(px, [[0, 0, 0], [255, 255, 255], [85, 85, 85]]);
});

test('Markdown and plain text documents', async () => {
  const md = '.panel-text_document[data-view-title="/docs/readme"]';
  assert.equal(await page.$eval(`${md} h3`, (e) => e.textContent), 'Test run');
  assert.deepEqual(await page.$$eval(`${md} li`, (els) => els.map((e) => e.textContent)), ['first item', 'second item']);
  assert.equal(await page.$eval(`${md} pre`, (e) => e.textContent), 'code block');
  const plain = '.panel-text_document[data-view-title="/docs/plain"]';
  assert.equal(await page.$eval(`${plain} pre`, (e) => e.textContent), 'plain text, not **markdown**');
});

test('every log level, and filtering two of them out', async () => {
  const rows = () => page.$$eval('.log-row', (els) => els.map((e) => e.children[2].textContent));
  const levels = await rows();
  assert.equal(levels.length, 20);
  assert.deepEqual(levels.slice(0, 6), ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL']);
  assert.equal(await page.$$eval('.log-row.level-error', (els) => els.length), 3);
  await page.click('.level-filter input[data-level="TRACE"]');
  await page.click('.level-filter input[data-level="DEBUG"]');
  await nextFrames(page);
  const filtered = await rows();
  assert.equal(filtered.length, 12);
  assert.ok(!filtered.includes('TRACE') && !filtered.includes('DEBUG'));
});

test('a named series takes its name and color from SeriesLines', async () => {
  const plot = '.plot[data-plot="/series/named"]';
  assert.deepEqual(await page.$$eval(`${plot} .u-legend .u-label`, (els) => els.map((e) => e.textContent)), ['frame', 'speed']);
  const [magenta] = await colorCounts(`${plot} canvas`, [[255, 0, 255]]);
  assert.ok(magenta > 100, `${magenta} magenta pixels`);
});

test('arrows, rotated boxes and transformed points in 3D, changing over time', async () => {
  const canvas = '.panel-spatial3d[data-view-title="/shapes"] canvas';
  const counts = await colorCounts(canvas, [
    [255, 0, 0],
    [0, 255, 0],
    [0, 0, 255],
    [0, 200, 255],
    [255, 220, 0],
    [255, 80, 80],
  ]);
  const names = ['red arrow', 'green arrow', 'blue arrow', 'cyan box', 'yellow box', 'spinner points'];
  counts.forEach((n, i) => assert.ok(n > 15, `${names[i]}: ${n} pixels (${counts})`));
  const last = await canvasDataUrl(page, canvas);
  const box = await page.locator('.timeline-track').boundingBox();
  await page.mouse.click(box.x + 2, box.y + box.height / 2);
  await nextFrames(page);
  assert.equal(await page.$eval('.timeline', (e) => e.dataset.time), '0');
  const first = await canvasDataUrl(page, canvas);
  const changed = await pixelDiff(page, last, first);
  assert.ok(changed > 300, `${changed} pixels changed between frames 19 and 0`);
  await page.screenshot({ path: join(screenshotDir(), 'archetypes-frame0.png') });
});

test('the page reported no errors', () => {
  assert.deepEqual(errors, []);
});
