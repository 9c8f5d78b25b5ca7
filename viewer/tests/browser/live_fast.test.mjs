// A fast logger of many small chunks (reel-demo: 20 frames at once, then 20 frames/s for 3 s,
// about 2,800 chunk frames to the viewer) with a page open: the page fell 9 s behind one
// like it, redrawing every view on every animation frame while the chunks waited. It must
// end with every row the server has, drawn, and keep drawing while the stream runs.
// The lag itself is printed (timings are not asserted here; reel-bench measures).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { env, infoAfterLogger, launchBrowser, startProcess, stop } from './helpers.mjs';

let server;
let url;
let ingest;
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
  stop(server?.child);
});

test('the page keeps up with a logger of many small chunks and ends with every row', async () => {
  const before = await page.evaluate(() => window.reel.status().view_updates);
  const demo = startProcess(env('REEL_DEMO_BIN'), ['20', '--connect', ingest, '--live', '3'], [/(logged \d+ frames)/]);
  const t0 = Date.now();
  await demo.found;
  const exitedMs = Date.now() - t0;
  const info = await infoAfterLogger(url, demo.child);
  await page.waitForFunction((rows) => window.reel.status().rows === rows, info.rows, { timeout: 120_000, polling: 50 });
  console.log(`logger done after ${exitedMs} ms; the page held every row ${Date.now() - t0 - exitedMs} ms later`);
  const s = await page.evaluate(() => window.reel.status());
  assert.equal(s.rows, info.rows);
  // Many small chunks (about 2,800 on a quiet machine; a loaded one batches more per chunk).
  assert.ok(s.frames_received > 200, `${s.frames_received} chunk frames`);
  // It drew while the stream ran, not only at the end.
  assert.ok(s.view_updates - before > 5, `${s.view_updates - before} view updates`);
  // Every series has its 80 points, drawn.
  await page.waitForFunction(() => [...document.querySelectorAll('.plot')].length === 9 && [...document.querySelectorAll('.plot')].every((p) => p.dataset.points === String(5 * 80)), null, { timeout: 30_000 });
  assert.equal(await page.$eval('.timeline', (e) => e.dataset.max), '79');
});

test('the page reported no errors', () => {
  assert.deepEqual(errors, []);
});
