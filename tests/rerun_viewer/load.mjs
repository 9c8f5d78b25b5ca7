// reel-bench's viewer_load scenario runs this for its Rerun baseline (bench/scenarios/
// viewer.cpp): the real Rerun web viewer (npm @rerun-io/web-viewer, harness.mjs) opens each
// .rrd `runs` times, each in a fresh browser, and reports per file the medians of
//   ms          navigation start -> get_time_range(recording, TIMELINE) reaches MAX
//   ms_start    navigation start -> the viewer started (its wasm loaded and running)
//   ms_open     open(url) -> the range reached MAX
//   rss_bytes   RSS of all the browser's processes then (after a garbage collection)
// The files are written so that MAX is reached only by the last messages of the file
// (viewer.cpp: every series' last row comes after all the other rows), so reaching it means
// the viewer has ingested the file. The page is polled every 250 ms (egui repaints on input:
// each poll moves the mouse, as harness.mjs does). The files start at step 0: once MAX is
// reached and after a few frames, the range must still start at 0 (a viewer that dropped
// rows on the way fails, `range` says what it held). Each wait times out after TIMEOUT_MS
// (env REEL_RERUN_LOAD_TIMEOUT_MS, default 60000); a file that fails gets {"error": ...}
// naming the file. Prints one JSON object on its last line.
//
// Usage: node load.mjs RUNS TIMELINE FILE.rrd:MAX [FILE.rrd:MAX...]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { browserRss, median } from "../../viewer/bench/browser_rss.mjs";
import { Oracle } from "./harness.mjs";

const [runsArg, timeline, ...specs] = process.argv.slice(2);
const runs = Number(runsArg);
const TIMEOUT_MS = Number(process.env.REEL_RERUN_LOAD_TIMEOUT_MS) || 60000;
if (!(runs > 0) || !timeline || specs.length === 0) {
  console.error("usage: node load.mjs RUNS TIMELINE FILE.rrd:MAX [FILE.rrd:MAX...]");
  process.exit(2);
}


async function once(file, max, workDir) {
  const oracle = await Oracle.start({ workDir });
  try {
    const msStart = await oracle.page.evaluate(() => performance.now());
    const url = oracle.serve(path.basename(file), fs.readFileSync(file));
    const openedAt = await oracle.page.evaluate(() => performance.now());
    const opened = await oracle.open(url, { timeout: TIMEOUT_MS });
    const ms = await oracle.waitFor(([r, t, m]) => {
      const range = window.viewer.get_time_range(r, t);
      return range && Number(range.max) >= m ? performance.now() : null;
    }, [opened.recording_id, timeline, max], { timeout: TIMEOUT_MS, what: `${timeline} to reach ${max}` });
    await oracle.settle();
    const range = await oracle.page.evaluate(([r, t]) => window.viewer.get_time_range(r, t),
      [opened.recording_id, timeline]);
    if (!range || Number(range.min) !== 0 || Number(range.max) !== max) {
      throw new Error(`${timeline} range ${JSON.stringify(range)} after reaching ${max}, not [0, ${max}]`);
    }
    const cdp = await oracle.page.context().newCDPSession(oracle.page);
    await cdp.send("HeapProfiler.collectGarbage");
    await oracle.page.waitForTimeout(500);
    return { ms, msStart, msOpen: ms - openedAt, rss: browserRss(), range };
  } finally {
    await oracle.stop();
  }
}

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "reel-rerun-load-"));
const result = {};
try {
  for (const spec of specs) {
    const at = spec.lastIndexOf(":");
    const file = spec.slice(0, at);
    const max = Number(spec.slice(at + 1));
    const rs = [];
    try {
      for (let r = 0; r < runs; r++) rs.push(await once(file, max, workDir));
    } catch (e) {
      result[file] = { error: `${path.basename(file)}: ${String(e.message ?? e).split("\n")[0]}` };
      continue;
    }
    result[file] = {
      ms: median(rs.map((x) => x.ms)),
      ms_start: median(rs.map((x) => x.msStart)),
      ms_open: median(rs.map((x) => x.msOpen)),
      rss_bytes: median(rs.map((x) => x.rss)),
      ms_all: rs.map((x) => Math.round(x.ms)),
      range: rs[rs.length - 1].range,
    };
  }
} finally {
  fs.rmSync(workDir, { recursive: true, force: true });
}
console.log(JSON.stringify(result));
