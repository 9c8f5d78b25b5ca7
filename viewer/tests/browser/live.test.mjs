// Live data: `reel serve` with a viewer page open, then reel-demo streams a robot run into
// the server's ingest port; the page must show the entities and views appear and the
// timeline grow while the data arrives.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { canvasStats, env, launchBrowser, nextFrames, screenshotDir, startProcess, stop, treeEntities } from './helpers.mjs';

let server;
let demo;
let browser;
let page;
/** The timeline's end when the page first showed streamed data. */
let firstMax = '';
let firstPoints = 0;
const errors = [];

before(async () => {
  server = startProcess(env('REEL_BIN'), ['serve', '--port', '0', '--ingest-port', '0'], [
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
  await page.goto(url);
  await page.waitForFunction(() => window.reel.status().caught_up, null, { timeout: 30_000 });
  demo = startProcess(env('REEL_DEMO_BIN'), ['50', '--connect', ingest, '--live', '15'], []);
  demo.exited = new Promise((resolve) => demo.child.on('exit', (code) => resolve(code)));
});

after(async () => {
  // Shown by CTest when something failed.
  console.log(`reel serve stderr:\n${server?.output().err}`);
  await browser?.close();
  stop(demo?.child);
  stop(server?.child);
});

test('an empty server shows an empty viewer', async () => {
  assert.equal(await page.$eval('body', (b) => b.dataset.connected), 'true');
});

test('streamed entities and views appear while the SDK logs', async () => {
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('.tree-row')].map((r) => r.dataset.entity);
    return rows.includes('/world/lidar') && rows.includes('/plots/p0');
  }, null, { timeout: 60_000 });
  await page.waitForFunction(() => Number(document.querySelector('.panel-spatial3d')?.dataset.points) > 0, null, { timeout: 60_000 });
  await page.waitForFunction(() => Number(document.querySelector('.plot[data-plot="/plots/p0"]')?.dataset.points) > 0, null, { timeout: 60_000 });
  firstMax = await page.$eval('.timeline', (e) => e.dataset.max);
  firstPoints = Number(await page.$eval('.plot[data-plot="/plots/p0"]', (e) => e.dataset.points));
  await nextFrames(page);
  const stats = await canvasStats(page, '.panel-spatial3d canvas');
  assert.ok(stats.foreground > 1000, `3D view has ${stats.foreground} drawn pixels`);
  const entities = await treeEntities(page);
  assert.ok(entities.includes('/world/robot'), entities.join(' '));
});

test('the timeline grows and the cursor follows the newest data', async () => {
  // reel-demo logs 50 frames at once, then 20 frames/s for 15 s.
  await page.waitForFunction((m) => BigInt(document.querySelector('.timeline').dataset.max || '0') > BigInt(m) + 5n, firstMax, { timeout: 60_000 });
  // Following is on by default: the cursor is at the newest time.
  await page.waitForFunction(() => {
    const t = document.querySelector('.timeline');
    return t.dataset.time === t.dataset.max;
  });
  await page.waitForFunction((n) => Number(document.querySelector('.plot[data-plot="/plots/p0"]').dataset.points) > n, firstPoints, { timeout: 60_000 });
  await page.screenshot({ path: join(screenshotDir(), 'live.png') });
});

test('the SDK process finishes cleanly and the viewer keeps everything', async () => {
  assert.equal(await demo.exited, 0);
  const chunks = Number(await page.$eval('body', (b) => b.dataset.chunks));
  assert.ok(chunks > 0);
  await nextFrames(page);
  await page.screenshot({ path: join(screenshotDir(), 'live-end.png') });
  assert.deepEqual(errors, []);
});
