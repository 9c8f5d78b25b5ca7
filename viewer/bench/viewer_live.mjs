// reel-bench's viewer_live scenario (bench/scenarios/viewer_live.cpp) runs this: `reel serve`,
// headless Chromium (Debian's, through playwright-core) opens the viewer, then the live
// client viewer/tests/live_logger.cpp --live SECONDS --points POINTS logs in real time
// (60 Hz scalars, 30 fps 640x480 RGB images, a POINTS-point cloud per image, every row
// stamped on the timestamp timeline `wall`). Reports the page's lag (per animation frame:
// wall clock minus the time the newest row on screen was logged; docs/viewer.md "Lag"),
// frames and view updates per second while the stream ran, the logger's own achieved rates,
// and the time after the logger's end until the page held and drew every row.
// Prints one JSON object on its last line.
//
// Usage: node viewer_live.mjs REEL_BIN LOGGER_BIN SECONDS POINTS
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

import { browserRss } from './browser_rss.mjs';
import { lagStats } from './lag_stats.mjs';

const executablePath = process.env.REEL_CHROMIUM ?? '/usr/bin/chromium';
const [reelBin, loggerBin, secondsArg, pointsArg] = process.argv.slice(2);
const seconds = Number(secondsArg);
const points = Number(pointsArg);
if (!reelBin || !loggerBin || !(seconds > 0) || !(points >= 0)) {
  console.error('usage: node viewer_live.mjs REEL_BIN LOGGER_BIN SECONDS POINTS');
  process.exit(2);
}

/** Starts a program; resolves with the first capture group of `pattern` in its stdout. */
function start(cmd, args, pattern) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const found = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = pattern.exec(out);
      if (m) resolve(m.slice(1));
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`${cmd} exited (${code}) before ${pattern}: ${out} ${err}`)));
  });
  return { child, found };
}

const server = start(reelBin, ['serve', '--port', '0', '--ingest-port', '0'], /reel: viewer at (http:\/\/\S+)[\s\S]*reel: ingest at (\S+)/);
const [url, ingest] = await server.found;
const browser = await chromium.launch({
  executablePath,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
});
let logger;
try {
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  await page.goto(url);
  await page.waitForFunction(() => window.reel.status().caught_up, null, { timeout: 60_000 });
  const since = await page.evaluate(() => window.reel.status().drawn?.frame ?? 0);
  logger = start(loggerBin, [ingest, 'viewer_live', 'rec-live', '--live', String(seconds), '--points', String(points)],
    /live done: (\d+) scalars, (\d+) images, (\d+) clouds of \d+ points in ([\d.]+) s \(([\d.]+) scalars\/s, ([\d.]+) images\/s\); late ticks (\d+), most behind ([\d.]+) ms/);
  const [scalars, images, clouds, secs, scalarRate, imageRate, late, behind] = (await logger.found).map(Number);
  const loggerDone = Date.now();
  const rows = scalars + images + clouds;
  let everyRowMs = null;
  try {
    await page.waitForFunction((rows) => {
      const s = window.reel.status();
      return s.rows >= rows && s.drawn?.time === s.newest.wall;
    }, rows, { timeout: 120_000, polling: 50 });
    everyRowMs = Date.now() - loggerDone;
  } catch {
    // reported as null: the page did not get there in 120 s
  }
  const status = await page.evaluate(() => window.reel.status());
  const draws = await page.evaluate((since) => window.reel.draws(since), since);
  console.log(JSON.stringify({
    logger: { scalars, images, clouds, points, seconds: secs, scalars_per_s: scalarRate, images_per_s: imageRate, late_ticks: late, most_behind_ms: behind },
    rows_logged: rows,
    ...lagStats(draws, 'wall', loggerDone),
    ms_to_every_row_after_end: everyRowMs,
    chromium_rss_bytes: browserRss(),
    status: { ...status, newest: undefined, drawn: undefined },
  }));
} finally {
  logger?.child.kill('SIGTERM');
  await browser.close();
  server.child.removeAllListeners('exit');
  server.child.kill('SIGTERM');
}
