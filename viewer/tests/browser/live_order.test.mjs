// A page opened on an empty `reel serve` before any client, then data arriving in steps
// (tests/live_logger.cpp): regressions of bugs seen live.
// - The header showed nothing until a reload: the store info sent after hello was ignored.
// - Plot colors were swapped: the series that arrived first were drawn with the colors of
//   the first entries of the legend, which is sorted by path.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { env, launchBrowser, nextFrames, startProcess, stop } from './helpers.mjs';

let server;
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
  let url;
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
  console.log(`reel serve stderr:\n${server?.output().err}`);
  await browser?.close();
  stop(logger?.child);
  stop(server?.child);
});

test('the header names the recording as soon as the first client sends its store info', async () => {
  assert.equal(await page.$eval('.app-header .recording', (e) => e.textContent), '');
  assert.deepEqual(await page.evaluate(() => window.reel.status().recordings), []);
  logger = startProcess(env('REEL_LIVE_LOGGER_BIN'), [ingest, 'live_order_app', 'rec-live-42'], [/(step 1) done/], { stdin: true });
  logger.child.stdin.on('error', () => {});
  await logger.found;
  await page.waitForFunction(() => document.querySelector('.app-header .recording').textContent !== '', null, { timeout: 30_000 });
  assert.equal(await page.$eval('.app-header .recording', (e) => e.textContent), 'live_order_app · rec-live-42');
  assert.deepEqual(await page.evaluate(() => window.reel.status().recordings), ['rec-live-42']);
});

/** Mean canvas row of the pixels close to each color, in the plot of `/train`. */
function colorRows(colors) {
  return page.$eval('.plot[data-plot="/train"] canvas', (canvas, colors) => {
    const c = document.createElement('canvas');
    c.width = canvas.width;
    c.height = canvas.height;
    const g = c.getContext('2d');
    g.drawImage(canvas, 0, 0);
    const px = g.getImageData(0, 0, c.width, c.height).data;
    return colors.map(([r, gr, b]) => {
      let n = 0;
      let sum = 0;
      for (let i = 0; i < px.length; i += 4) {
        if (Math.abs(px[i] - r) + Math.abs(px[i + 1] - gr) + Math.abs(px[i + 2] - b) < 90) {
          n++;
          sum += Math.floor(i / 4 / c.width);
        }
      }
      return { n, row: n ? sum / n : NaN };
    });
  }, colors);
}

test('each series is drawn in its own color when series arrive out of path order', async () => {
  // Step 1 (loss, zeta) is shown before step 2 (accuracy) is logged.
  await page.waitForFunction(() => document.querySelector('.plot[data-plot="/train"]')?.dataset.points === '200', null, { timeout: 30_000 });
  logger.child.stdin.write('next\n');
  await page.waitForFunction(() => document.querySelector('.plot[data-plot="/train"]')?.dataset.points === '300', null, { timeout: 30_000 });
  await nextFrames(page);
  const labels = await page.$$eval('.plot[data-plot="/train"] .u-legend .u-label', (els) => els.map((e) => e.textContent));
  assert.deepEqual(labels, ['step', 'accuracy', 'loss', 'zeta']);
  const markers = await page.$$eval('.plot[data-plot="/train"] .u-legend .u-marker', (els) => els.slice(1).map((e) => getComputedStyle(e).borderColor));
  assert.deepEqual(markers, ['rgb(0, 255, 0)', 'rgb(255, 0, 0)', 'rgb(0, 0, 255)']);
  // accuracy = 0 (green) at the bottom, loss = 1 (red) in the middle, zeta = 2 (blue) on top.
  const [green, red, blue] = await colorRows([[0, 255, 0], [255, 0, 0], [0, 0, 255]]);
  for (const [name, c] of [['green', green], ['red', red], ['blue', blue]]) assert.ok(c.n > 50, `${name}: ${c.n} pixels`);
  assert.ok(blue.row < red.row && red.row < green.row, `rows: blue ${blue.row}, red ${red.row}, green ${green.row}`);
  logger.child.stdin.end();
});

test('the page reported no errors', () => {
  assert.deepEqual(errors, []);
});
