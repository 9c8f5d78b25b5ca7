// Several recordings (docs/viewer.md, "Several recordings"): `reel view a.reel b.reel` opens
// both, the header's selector switches between them (the views show only the selected
// one's data), and a second SDK run appearing while the page is open is a recording of its
// own, shown when it appears.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { env, launchBrowser, run, screenshotDir, startProcess, stop } from './helpers.mjs';

const kFramesA = 40;
const kFramesB = 25;
let dir;
let viewer;
let live;
const loggers = [];
let browser;
const errors = [];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'reel-recordings-test-'));
  await run(env('REEL_DEMO_BIN'), [String(kFramesA), '--save', join(dir, 'a.reel')]);
  await run(env('REEL_DEMO_BIN'), [String(kFramesB), '--save', join(dir, 'b.reel')]);
  browser = await launchBrowser();
});

after(async () => {
  console.log(`reel view stderr:\n${viewer?.output().err}\nreel serve stderr:\n${live?.output().err}`);
  await browser?.close();
  for (const l of loggers) stop(l.child);
  stop(viewer?.child);
  stop(live?.child);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function openPage(url) {
  const page = await browser.context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.reel.status().caught_up, null, { timeout: 60_000 });
  return page;
}

const status = (page) => page.evaluate(() => window.reel.status());
const title = (page) => page.$eval('.app-header .recording', (e) => e.textContent);
const plotPoints = (page) => page.$$eval('.plot', (els) => els.map((e) => Number(e.dataset.points)));

/** Selects `recordingId` with the header's selector and waits until it is caught up. */
async function choose(page, recordingId) {
  const value = await page.$eval('.recording-select', (sel, id) => [...sel.options].find((o) => o.dataset.recordingId === id)?.value, recordingId);
  assert.ok(value !== undefined, `no option for ${recordingId}`);
  await page.selectOption('.recording-select', value);
  await page.waitForFunction((id) => {
    const s = window.reel.status();
    return s.recording === id && s.caught_up;
  }, recordingId, { timeout: 60_000 });
}

test('reel view a.reel b.reel: both recordings, each shown alone, switched with the selector', async () => {
  viewer = startProcess(env('REEL_BIN'), ['view', join(dir, 'a.reel'), join(dir, 'b.reel'), '--port', '0', '--ingest-port', '0'], [/reel: viewer at (http:\/\/\S+)/]);
  const [url] = await viewer.found;
  const info = await (await fetch(new URL('/api/info', url))).json();
  assert.equal(info.recordings.length, 2);
  const [a, b] = info.recordings;
  assert.notEqual(a.recording_id, b.recording_id);
  const page = await openPage(url);
  // The newest recording is shown first: b.reel.
  let s = await status(page);
  assert.deepEqual(s.recordings, [a.recording_id, b.recording_id]);
  assert.equal(s.recording, b.recording_id);
  assert.equal(s.rows, b.rows);
  assert.equal(s.chunks, b.chunks);
  assert.equal(await title(page), `${b.application_id} · ${b.recording_id}`);
  assert.equal(await page.$eval('.timeline', (e) => e.dataset.max), String(kFramesB - 1));
  await page.waitForFunction(() => document.querySelectorAll('.plot').length > 0);
  for (const p of await plotPoints(page)) assert.equal(p, 5 * kFramesB);
  assert.equal(await page.$eval('.recording-select', (e) => e.hidden), false);
  assert.deepEqual(await page.$$eval('.recording-select option', (os) => os.map((o) => o.dataset.recordingId)), [a.recording_id, b.recording_id]);

  // The first recording through the selector: only its data.
  await choose(page, a.recording_id);
  s = await status(page);
  assert.equal(s.rows, a.rows);
  assert.equal(s.chunks, a.chunks);
  assert.equal(await title(page), `${a.application_id} · ${a.recording_id}`);
  await page.waitForFunction((n) => document.querySelector('.timeline').dataset.max === String(n), kFramesA - 1);
  await page.waitForFunction((n) => {
    const plots = [...document.querySelectorAll('.plot')];
    return plots.length > 0 && plots.every((e) => Number(e.dataset.points) === n);
  }, 5 * kFramesA, { timeout: 30_000 });
  await page.screenshot({ path: join(screenshotDir(), 'recordings-a.png') });

  // And back.
  await choose(page, b.recording_id);
  s = await status(page);
  assert.equal(s.rows, b.rows);
  await page.waitForFunction((n) => document.querySelector('.timeline').dataset.max === String(n), kFramesB - 1);
  await page.close();
  stop(viewer.child);
});

test('live: a second SDK run while the page is open is a recording of its own, shown when it appears', async () => {
  live = startProcess(env('REEL_BIN'), ['serve', '--port', '0', '--ingest-port', '0'], [/reel: viewer at (http:\/\/\S+)/, /reel: ingest at (\S+)/]);
  const [url, ingest] = await live.found;
  const page = await openPage(url);
  const first = startProcess(env('REEL_LIVE_LOGGER_BIN'), [ingest, 'runs', 'run-1'], [/(step 1) done/], { stdin: true });
  first.child.stdin.on('error', () => {});
  loggers.push(first);
  await first.found;
  await page.waitForFunction(() => window.reel.status().recordings.length === 1, null, { timeout: 30_000 });
  await page.waitForFunction(() => document.querySelector('.app-header .recording').textContent === 'runs · run-1', null, { timeout: 30_000 });
  // Both series of step 1: 100 rows each, plus their static styles.
  await page.waitForFunction(() => window.reel.status().rows === 202, null, { timeout: 30_000 });

  const second = startProcess(env('REEL_LIVE_LOGGER_BIN'), [ingest, 'runs', 'run-2'], [/(step 1) done/], { stdin: true });
  second.child.stdin.on('error', () => {});
  loggers.push(second);
  await second.found;
  await page.waitForFunction(() => {
    const s = window.reel.status();
    return s.recording === 'run-2' && s.caught_up && s.rows === 202;
  }, null, { timeout: 30_000 });
  assert.deepEqual((await status(page)).recordings, ['run-1', 'run-2']);
  assert.equal(await title(page), 'runs · run-2');
  // Not merged: the server holds two recordings of 202 rows each.
  const info = await (await fetch(new URL('/api/info', url))).json();
  assert.deepEqual(info.recordings.map((r) => [r.recording_id, r.rows]), [['run-1', 202], ['run-2', 202]]);

  // The first run's next step reaches its recording, not the one shown.
  first.child.stdin.write('\n');
  await new Promise((resolve) => first.child.stdout.on('data', (d) => String(d).includes('step 2 done') && resolve()));
  for (let i = 0; ; i++) {
    const rows = (await (await fetch(new URL('/api/info', url))).json()).recordings[0].rows;
    if (rows === 303) break;
    assert.ok(i < 600, `run-1 holds ${rows} rows, not 303`);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal((await status(page)).rows, 202);
  // Chosen by the user: run-1 with its three series.
  await choose(page, 'run-1');
  assert.equal((await status(page)).rows, 303);
  assert.equal(await title(page), 'runs · run-1');
  await page.screenshot({ path: join(screenshotDir(), 'recordings-live.png') });
  assert.deepEqual(errors, []);
  await page.close();
});
