// Issue 16's live goal: a client logging 60 Hz scalars, 30 fps 640x480 RGB images and a
// point cloud of 10,000 points per image (tests/live_logger.cpp --live, in real time, every
// row stamped on the timestamp timeline `wall` when logged) to `reel serve` with a page
// open. The page follows the stream; lag is sampled at the start of every animation frame
// as the wall clock minus the time the newest row on screen was logged (docs/viewer.md
// "Lag"). The issue asks for 200 ms; the figures are printed here and measured by
// reel-bench's viewer_live (tests never assert timings, docs/benchmark.md). The page ends
// with exactly the rows the logger logged, and shows the newest image.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { lagStats } from '../../bench/lag_stats.mjs';
import { env, launchBrowser, nextFrames, startProcess, stop } from './helpers.mjs';

const kSeconds = Number(process.env.REEL_LIVE_LAG_SECONDS ?? 10);
const kPoints = Number(process.env.REEL_LIVE_LAG_POINTS ?? 10_000);
let server;
let url;
let ingest;
let logger;
let browser;
let page;
const errors = [];

before(async () => {
  server = startProcess(env('REEL_BIN'), ['serve', '--port', '0', '--ingest-port', '0'], [
    /reel: viewer at (http:\/\/\S+)/,
    /reel: ingest at (\S+)/,
  ]);
  [url, ingest] = await server.found;
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.reel.status().caught_up, null, { timeout: 30_000 });
});

after(async () => {
  await browser?.close();
  stop(logger?.child);
  stop(server?.child);
});

test(`a live stream (${kPoints} points per frame): the page ends with every row and shows the newest image`, async () => {
  const since = await page.evaluate(() => window.reel.status().drawn?.frame ?? 0);
  logger = startProcess(env('REEL_LIVE_LOGGER_BIN'), [ingest, 'live_lag', 'rec-lag', '--live', String(kSeconds), '--points', String(kPoints)], [
    /(live done: .*)/,
    /live done: (\d+) scalars/,
    /scalars, (\d+) images/,
    /images, (\d+) clouds/,
  ]);
  const [line, scalars, images, clouds] = await logger.found;
  const loggerDone = Date.now();
  console.log(`logger: ${line}`);
  const rows = Number(scalars) + Number(images) + Number(clouds);
  assert.equal(Number(scalars), kSeconds * 60);
  assert.equal(Number(images), kSeconds * 30);
  // Every row, ingested, and the newest of them drawn.
  await page.waitForFunction((rows) => window.reel.status().rows === rows, rows, { timeout: 60_000, polling: 50 });
  await page.waitForFunction(() => {
    const s = window.reel.status();
    return s.drawn?.timeline === 'wall' && s.drawn.time === s.newest.wall;
  }, null, { timeout: 30_000, polling: 50 });
  const caughtUpMs = Date.now() - loggerDone;
  const s = await page.evaluate(() => window.reel.status());
  assert.equal(s.rows, rows);
  const info = await (await fetch(new URL('/api/info', url))).json();
  assert.equal(info.rows, rows);

  // The frames while the stream ran: from the first that showed its data to the logger's end.
  const draws = await page.evaluate((since) => window.reel.draws(since), since);
  const l = lagStats(draws, 'wall', loggerDone);
  // It drew while the stream ran (the rate is printed below, not asserted: a loaded machine
  // draws fewer frames).
  assert.ok(l.frames >= kSeconds, `${l.frames} frames sampled`);
  console.log(
    `lag over ${l.frames} frames (${l.frames_per_s.toFixed(1)} frames/s, ${l.view_updates_per_s.toFixed(1)} view updates/s, longest frame ${l.max_frame_gap_ms.toFixed(0)} ms): ` +
      `median ${l.lag_median_ms.toFixed(0)} ms, p95 ${l.lag_p95_ms.toFixed(0)} ms, max ${l.lag_max_ms.toFixed(0)} ms; every row held and drawn ${caughtUpMs} ms after the logger ended`,
  );

  // The newest image is shown: frame f's pixel (x, y) is (x + f, y, f) mod 256.
  await nextFrames(page);
  const f = (Number(images) - 1) & 255;
  const px = await page.$eval('.panel-image canvas', (c) => Array.from(c.getContext('2d').getImageData(10, 7, 1, 1).data.subarray(0, 3)));
  assert.deepEqual(px, [(10 + f) & 255, 7, f]);
});

test('the page reported no errors', () => {
  assert.deepEqual(errors, []);
});
