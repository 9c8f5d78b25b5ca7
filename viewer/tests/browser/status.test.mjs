// window.reel.status() on a recording served by `reel view`: what the page holds, checked
// against what the server says it has (/api/info) and what the page received.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { env, launchBrowser, run, startProcess, stop } from './helpers.mjs';

let dir;
let server;
let url;
let browser;
const errors = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reel-viewer-test-'));
  const file = join(dir, 'demo.reel');
  await run(env('REEL_DEMO_BIN'), ['60', '--save', file]);
  server = startProcess(env('REEL_BIN'), ['view', file, '--port', '0', '--ingest-port', '0'], [/reel: viewer at (http:\/\/\S+)/]);
  [url] = await server.found;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  stop(server?.child);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function open(query = '') {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  await page.goto(url + query);
  await page.waitForFunction(() => window.reel.status().caught_up, null, { timeout: 60_000 });
  return page;
}

test('status() says caught_up with every chunk and row of the recording', async () => {
  const page = await open();
  const info = await (await fetch(new URL('/api/info', url))).json();
  const s = await page.evaluate(() => window.reel.status());
  assert.equal(s.caught_up, true);
  assert.equal(s.chunks, info.chunks);
  assert.equal(s.rows, info.rows);
  assert.deepEqual(s.recordings, [info.recording_id]);
  // Every kind-1 frame is the 5-byte prefix and one payload.
  assert.equal(s.frames_received, info.chunks);
  assert.equal(s.payload_bytes, s.bytes_received - 5 * s.frames_received);
  assert.ok(s.buffer_bytes >= s.payload_bytes, `buffer_bytes ${s.buffer_bytes} < payload ${s.payload_bytes}`);
  assert.equal(s.dropped_chunks, 0);
  // The default budget: min(1 GiB, a quarter of navigator.deviceMemory GiB).
  const deviceMemory = await page.evaluate(() => navigator.deviceMemory);
  const gib = 1024 ** 3;
  assert.equal(s.memory_budget_bytes, deviceMemory ? Math.min(gib, Math.round((deviceMemory * gib) / 4)) : gib);
  await page.close();
});

test('?memory_limit= sets the budget', async () => {
  const page = await open('?memory_limit=512MiB');
  assert.equal(await page.evaluate(() => window.reel.status().memory_budget_bytes), 512 * 1024 * 1024);
  await page.close();
  const page2 = await open('?memory_limit=1.5GB');
  assert.equal(await page2.evaluate(() => window.reel.status().memory_budget_bytes), 1.5e9);
  await page2.close();
});

test('caught_up is false until the backlog is in and drawn', async () => {
  const page = await browser.context.newPage();
  // Sample status() from the first script on: it must never say caught_up with rows missing.
  await page.addInitScript(() => {
    window.__samples = [];
    const sample = () => {
      if (window.reel?.status) {
        const s = window.reel.status();
        window.__samples.push([s.caught_up, s.rows]);
        if (s.caught_up) return;
      }
      requestAnimationFrame(sample);
    };
    requestAnimationFrame(sample);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.reel.status().caught_up, null, { timeout: 60_000 });
  const info = await (await fetch(new URL('/api/info', url))).json();
  const samples = await page.evaluate(() => window.__samples);
  assert.ok(samples.length > 0);
  for (const [caught, rows] of samples) if (caught) assert.equal(rows, info.rows);
  await page.close();
});

test('the pages reported no errors', () => {
  assert.deepEqual(errors, []);
});
