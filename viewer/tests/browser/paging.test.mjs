// A recording larger than the server's memory (docs/server.md, "Files larger than memory"):
// `reel view FILE --memory-limit 64MiB` over 300 frames of 640x480 RGB images (265 MiB of
// pixels; tests/live_logger.cpp --images to a file) serves the file's first times and pages
// the rest in when the cursor goes there. The page's timeline spans the whole file from the
// start, and scrubbing anywhere shows that frame's exact pixels.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { env, launchBrowser, nextFrames, run, screenshotDir, startProcess, stop } from './helpers.mjs';

const kFrames = 300;
const kImageBytes = 640 * 480 * 3;
let dir;
let viewer;
let browser;
let page;
let url;
const errors = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reel-paging-test-'));
  const file = join(dir, 'big.reel');
  await run(env('REEL_LIVE_LOGGER_BIN'), [`file:${file}`, 'paging_app', 'rec-paging', '--images', String(kFrames / 30)]);
  viewer = startProcess(env('REEL_BIN'), ['view', file, '--port', '0', '--memory-limit', '64MiB'], [/reel: viewer at (http:\/\/\S+)/]);
  [url] = await viewer.found;
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.reel.status().caught_up, null, { timeout: 60_000 });
});

after(async () => {
  console.log(`reel view stderr:\n${viewer?.output().err}`);
  await browser?.close();
  stop(viewer?.child);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Pixel (x, y) of the image view's canvas. */
function pixel(x, y) {
  return page.$eval('.panel-image canvas', (c, [x, y]) => Array.from(c.getContext('2d').getImageData(x, y, 1, 1).data.subarray(0, 3)), [x, y]);
}

async function serverInfo() {
  const r = await fetch(new URL('/api/info', url));
  return (await r.json()).recordings[0];
}

/** Clicks the timeline at `fraction` of its width; returns the time it went to. */
async function scrub(fraction) {
  const box = await page.locator('.timeline-track').boundingBox();
  await page.mouse.click(box.x + box.width * fraction, box.y + box.height / 2);
  await nextFrames(page);
  return Number(await page.$eval('.timeline', (e) => e.dataset.time));
}

/** Waits until the image view shows frame `t` (pixel (x, y) = (x + t, y, t) mod 256). */
async function expectFrame(t) {
  await page.waitForFunction(
    (t) => {
      const c = document.querySelector('.panel-image canvas');
      const d = c?.getContext('2d').getImageData(0, 0, 1, 1).data;
      return d && d[0] === (t & 255) && d[2] === (t & 255);
    },
    t,
    { timeout: 30_000 },
  );
  assert.deepEqual(await pixel(10, 7), [(10 + t) & 255, 7, t & 255]);
  assert.deepEqual(await pixel(639, 479), [(639 + t) & 255, 479 & 255, t & 255]);
}

test('the server serves the file from disk and the page knows the whole time range', async () => {
  assert.match(viewer.output().err, /serving it from the file/);
  const s = await page.evaluate(() => window.reel.status());
  assert.ok(s.paged, 'status().paged is set');
  assert.ok(s.paged.file_bytes >= kFrames * kImageBytes, `${s.paged.file_bytes} bytes`);
  assert.equal(s.recording, 'rec-paging');
  // The timeline spans every frame of the file from the start.
  assert.equal(await page.$eval('.timeline', (e) => e.dataset.max), String(kFrames - 1));
  assert.match(await page.$eval('.app-header .status', (e) => e.textContent), /file paged in by time window/);
  // Only part of the file is in the server's store: it preloads a quarter of its 64 MiB.
  const info = await serverInfo();
  assert.ok(info.bytes < 20 * kImageBytes, `${info.bytes} bytes in the server's store`);
  assert.ok(info.paged.file_chunks > 0 && info.paged.file_bytes === s.paged.file_bytes, JSON.stringify(info.paged));
  // The page follows the end, which it was not sent: it pages that window in and shows the
  // last frame; the file's first frames stay marked as not held.
  await expectFrame(kFrames - 1);
  assert.match(await page.$eval('.timeline', (e) => e.dataset.dropped), /^0\.\.\d+$/);
  assert.ok((await serverInfo()).paged.answers >= 1);
});

test('scrubbing anywhere in the file shows that frame', async () => {
  const seen = [];
  for (const fraction of [0.75, 0.2, 0.97]) {
    const t = await scrub(fraction);
    assert.ok(t > 0 && t < kFrames, `time ${t}`);
    await expectFrame(t);
    seen.push(t);
    // (Which windows count as held is tested in tests/unit/memory.test.ts: the marks are per
    // timeline, so a long chunk of one entity replaced by a window marks its other rows'
    // times again, and the next scrub there asks again.)
  }
  await page.screenshot({ path: join(screenshotDir(), 'paging.png') });
  const s = await page.evaluate(() => window.reel.status());
  assert.ok(s.paged.windows >= 3, `${s.paged.windows} windows`);
  // The server read those windows from the file and kept its cache within its share.
  const info = await serverInfo();
  assert.ok(info.paged.answers >= 3, JSON.stringify(info.paged));
  assert.ok(info.paged.cached_bytes <= info.paged.cache_limit, JSON.stringify(info.paged));
  assert.ok(info.paged.cache_limit <= 64 * 1024 * 1024 * 0.6 + 1, JSON.stringify(info.paged));
  console.log(`frames shown ${seen.join(', ')}; server ${JSON.stringify(info.paged)}`);
});

test('the page reported no errors', () => {
  assert.deepEqual(errors, []);
});
