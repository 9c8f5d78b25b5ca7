// The viewer's memory budget (?memory_limit=64MiB) under a live stream of 640x480 RGB images
// at 30 frames/s for 20 s (about 550 MB; tests/live_logger.cpp --images): the page never
// holds more than its budget, says that it dropped data, still shows the newest image, and
// pages a dropped window back in (the subscribe message) when the cursor goes there.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { env, launchBrowser, nextFrames, screenshotDir, startProcess, stop } from './helpers.mjs';

const kBudget = 64 * 1024 * 1024;
const kSeconds = 20;
const kFrames = kSeconds * 30;
let server;
let logger;
let browser;
let page;
const errors = [];

before(async () => {
  // The server keeps the last ~9 s (its own budget); the page about 2 s.
  server = startProcess(env('REEL_BIN'), ['serve', '--port', '0', '--ingest-port', '0', '--memory-limit', '256MiB'], [
    /reel: viewer at (http:\/\/\S+)/,
    /reel: ingest at (\S+)/,
  ]);
  const [url, ingest] = await server.found;
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  // The largest buffer_bytes any animation frame saw.
  await page.addInitScript(() => {
    window.__maxHeld = 0;
    window.__samples = 0;
    const sample = () => {
      const s = window.reel?.status?.();
      if (s) {
        window.__maxHeld = Math.max(window.__maxHeld, s.buffer_bytes);
        window.__samples++;
      }
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
  await page.goto(`${url}?memory_limit=64MiB`);
  await page.waitForFunction(() => window.reel.status().caught_up, null, { timeout: 30_000 });
  logger = startProcess(env('REEL_LIVE_LOGGER_BIN'), [ingest, 'budget_app', 'rec-budget', '--images', String(kSeconds)], [/images done: (\d+)/]);
});

after(async () => {
  console.log(`reel serve stderr:\n${server?.output().err}`);
  await browser?.close();
  stop(logger?.child);
  stop(server?.child);
});

/** Pixel (x, y) of the image view's canvas. */
function pixel(x, y) {
  return page.$eval('.panel-image canvas', (c, [x, y]) => Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data.subarray(0, 3)), [x, y]);
}

test('a 20 s image stream stays within a 64 MiB budget and shows the newest image', async () => {
  const [frames] = await logger.found;
  assert.equal(Number(frames), kFrames);
  await page.waitForFunction((m) => document.querySelector('.timeline')?.dataset.max === String(m), kFrames - 1, { timeout: 60_000 });
  await page.waitForFunction((m) => document.querySelector('.timeline')?.dataset.time === String(m), kFrames - 1, { timeout: 30_000 });
  await nextFrames(page);
  const s = await page.evaluate(() => window.reel.status());
  assert.equal(s.memory_budget_bytes, kBudget);
  const maxHeld = await page.evaluate(() => window.__maxHeld);
  assert.ok(await page.evaluate(() => window.__samples) > 10);
  assert.ok(maxHeld <= kBudget, `held ${maxHeld} bytes, budget ${kBudget}`);
  assert.ok(s.buffer_bytes <= kBudget);
  // 600 images of 921,600 bytes went by: most were dropped.
  assert.ok(s.dropped_chunks > 400, `${s.dropped_chunks} chunks dropped`);
  assert.match(await page.$eval('.app-header .status', (e) => e.textContent), /dropped \d+ chunks \(.*\) over the 64 MiB budget/);
  // The dropped range starts at frame 0 and the newest image is shown: frame 599's pixels.
  assert.match(await page.$eval('.timeline', (e) => e.dataset.dropped), /^0\.\.\d+/);
  // The image is drawn once decoded: on a loaded machine a few frames after the cursor moved.
  const f = (kFrames - 1) & 255;
  await page
    .waitForFunction(
      (f) => {
        const d = document.querySelector('.panel-image canvas').getContext('2d').getImageData(0, 0, 1, 1).data;
        return d[0] === f && d[2] === f;
      },
      f,
      { timeout: 30_000 },
    )
    .catch(() => {}); // the assertions below say what is shown instead
  assert.deepEqual(await pixel(0, 0), [f, 0, f]);
  assert.deepEqual(await pixel(10, 7), [(10 + f) & 255, 7, f]);
  await page.screenshot({ path: join(screenshotDir(), 'budget.png') });
});

test('scrubbing back into dropped data asks the server for it again', async () => {
  // Frame ~449: dropped by the page (it holds ~2 s), still held by the server (~9 s).
  const box = await page.locator('.timeline-track').boundingBox();
  await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
  await nextFrames(page);
  const t = Number(await page.$eval('.timeline', (e) => e.dataset.time));
  assert.ok(t > 400 && t < 500, `time ${t}`);
  // The image of frame t arrives again and is shown.
  await page.waitForFunction(
    (t) => {
      const c = document.querySelector('.panel-image canvas');
      const d = c.getContext('2d').getImageData(0, 0, 1, 1).data;
      return d[0] === (t & 255) && d[2] === (t & 255);
    },
    t,
    { timeout: 30_000 },
  );
  assert.deepEqual(await pixel(10, 7), [(10 + t) & 255, 7, t & 255]);
  const s = await page.evaluate(() => window.reel.status());
  assert.ok(s.buffer_bytes <= kBudget, `held ${s.buffer_bytes}`);
  assert.ok((await page.evaluate(() => window.__maxHeld)) <= kBudget);
  // The window is no longer marked dropped.
  const dropped = (await page.$eval('.timeline', (e) => e.dataset.dropped)).split(',').map((r) => r.split('..').map(Number));
  assert.ok(!dropped.some(([a, b]) => a <= t && t <= b), `${t} still in dropped ${JSON.stringify(dropped)}`);
});

test('the page reported no errors', () => {
  assert.deepEqual(errors, []);
});
