// reel-bench's viewer_load scenario (bench/scenarios/viewer.cpp) runs this: for each
// recording, `reel view FILE`; headless Chromium (Debian's, through playwright-core) opens it
// `runs` times, each in a fresh browser, and reports per file the medians of
//   ms        navigation start -> window.reel.status().caught_up (every row ingested, drawn)
//   rss_bytes RSS of all the browser's processes once caught up (after a garbage collection)
// and the status() figures of the last run. Prints one JSON object on its last line.
//
// Usage: node viewer_load.mjs RUNS REEL_BIN FILE [FILE...]
import { spawn } from 'node:child_process';
import { chromium } from 'playwright-core';

import { browserRss, median } from './browser_rss.mjs';

const executablePath = process.env.REEL_CHROMIUM ?? '/usr/bin/chromium';
const [runsArg, reelBin, ...files] = process.argv.slice(2);
const runs = Number(runsArg);
if (!(runs > 0) || !reelBin || files.length === 0) {
  console.error('usage: node viewer_load.mjs RUNS REEL_BIN FILE [FILE...]');
  process.exit(2);
}

/** `reel view FILE` on free ports; resolves with the server process and its viewer URL. */
function serve(file) {
  const child = spawn(reelBin, ['view', file, '--port', '0', '--ingest-port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      out += d;
      const m = /reel: viewer at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.stderr.on('data', () => {});
    child.on('exit', (code) => reject(new Error(`reel view ${file} exited (${code}): ${out}`)));
  });
}


async function once(url) {
  const browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    // Records, on the first animation frame that sees caught_up, the time since navigation.
    await page.addInitScript(() => {
      const poll = () => {
        const s = window.reel?.status?.();
        if (s?.caught_up) window.__reelCaughtUpMs = performance.now();
        else requestAnimationFrame(poll);
      };
      requestAnimationFrame(poll);
    });
    await page.goto(url);
    await page.waitForFunction(() => window.__reelCaughtUpMs !== undefined, null, { timeout: 600_000, polling: 100 });
    const ms = await page.evaluate(() => window.__reelCaughtUpMs);
    // What holding the recording costs, not the garbage of receiving it: collect, let the
    // last frame settle, then read memory.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('HeapProfiler.collectGarbage');
    await page.waitForTimeout(500);
    const status = await page.evaluate(() => window.reel.status());
    const rss = browserRss();
    return { ms, rss, status };
  } finally {
    await browser.close();
  }
}

const result = {};
for (const file of files) {
  const { child, url } = await serve(file);
  try {
    const rs = [];
    for (let r = 0; r < runs; r++) rs.push(await once(url));
    result[file] = { ms: median(rs.map((x) => x.ms)), rss_bytes: median(rs.map((x) => x.rss)), ms_all: rs.map((x) => Math.round(x.ms)), status: rs[rs.length - 1].status };
  } finally {
    child.removeAllListeners('exit');
    child.kill('SIGTERM');
  }
}
console.log(JSON.stringify(result));
