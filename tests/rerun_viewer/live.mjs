// The real Rerun web viewer watching `reel serve` live (run by run_live.sh from ctest):
// the viewer opens the URL reel serve prints (rerun+http://127.0.0.1:PORT/proxy, Rerun's
// gRPC-web ReadMessages call), sees the recording an SDK client named and the rows it logged
// before, then the rows it logs after the viewer connected.
//
// Usage: node live.mjs OUT REEL_BIN LOGGER_BIN
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { Oracle, VIEWER_VERSION } from "./harness.mjs";

const [outArg, reelBin, loggerBin] = process.argv.slice(2);
const out = path.resolve(outArg || "out_live");
fs.mkdirSync(out, { recursive: true });
let passed = 0, failed = 0;
function check(name, cond, detail = "") {
  if (cond) { ++passed; console.log(`ok ${name}${detail ? " (" + detail + ")" : ""}`); }
  else { ++failed; console.log(`FAILED ${name}${detail ? ": " + detail : ""}`); }
}
const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const APP = "reel_live_proxy";
const REC = "live-rec-42";

// A child process whose stdout lines can be awaited.
function start(bin, args, logName) {
  const child = spawn(bin, args, { stdio: ["pipe", "pipe", "pipe"] });
  const lines = [];
  const waiters = [];
  const log = fs.createWriteStream(path.join(out, logName));
  child.stderr.on("data", (d) => log.write(d));
  readline.createInterface({ input: child.stdout }).on("line", (line) => {
    log.write(line + "\n");
    lines.push(line);
    for (const w of [...waiters]) if (w.re.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line); }
  });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  return {
    child, exited,
    line(re, what, timeout = 60000) {
      const found = lines.find((l) => re.test(l));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const w = { re, resolve };
        waiters.push(w);
        setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeout);
      });
    },
  };
}

const serve = start(reelBin, ["serve", "--port", "0", "--ingest-port", "0", "--memory-limit", "0"], "serve.log");
let logger = null;
let oracle = null;
try {
  check(`@rerun-io/web-viewer is 0.33.0`, VIEWER_VERSION === "0.33.0", VIEWER_VERSION);
  const viewerLine = await serve.line(/^reel: viewer at /, "reel serve's viewer line");
  const rerunLine = await serve.line(/^reel: Rerun viewer at /, "reel serve's Rerun viewer line");
  const ingestLine = await serve.line(/^reel: ingest at /, "reel serve's ingest line");
  const httpPort = viewerLine.match(/^reel: viewer at http:\/\/127\.0\.0\.1:(\d+)\/$/)?.[1];
  const m = rerunLine.match(/^reel: Rerun viewer at (rerun\+http:\/\/127\.0\.0\.1:(\d+)\/proxy)$/);
  check("reel serve prints the Rerun URL on its HTTP port", m && httpPort && m[2] === httpPort,
    `${viewerLine} | ${rerunLine}`);
  const rerunUrl = m[1];
  const ingest = ingestLine.replace(/^reel: ingest at /, "");

  // Rows logged before the viewer connects: the backlog.
  logger = start(loggerBin, [ingest, APP, REC], "logger.log");
  logger.child.stdin.write("0 10\n");
  await logger.line(/^logged 0 10$/, "the first rows");

  oracle = await Oracle.start({ workDir: out });
  const opened = await oracle.open(rerunUrl);
  check("live: recording_open ids", opened.application_id === APP && opened.recording_id === REC,
    JSON.stringify(opened));
  const range = await oracle.timeRange(REC, "frame");
  check("live: the backlog's time range", eq(range, { min: 0, max: 9 }), JSON.stringify(range));

  // Rows logged after the viewer connected arrive on the same stream.
  logger.child.stdin.write("10 25\n");
  await logger.line(/^logged 10 25$/, "the second rows");
  const grown = await oracle.waitFor(([r, t]) => {
    const g = window.viewer.get_time_range(r, t);
    return g && g.max === 24 ? g : null;
  }, [REC, "frame"], { what: "the time range to reach frame 24" });
  check("live: the time range grows to the rows logged after connecting", eq(grown, { min: 0, max: 24 }),
    JSON.stringify(grown));
  await oracle.settle();
  await oracle.screenshot(path.join(out, "live.png"));
  const typeErrors = oracle.typeErrors();
  check("live: no type errors on the console", typeErrors.length === 0, typeErrors.join(" | "));
  const proxyErrors = oracle.console.filter((l) => /grpc|ReadMessages|MessageProxy/i.test(l) && /error/i.test(l));
  check("live: no gRPC errors on the console", proxyErrors.length === 0, proxyErrors.join(" | "));
} catch (err) {
  check("no exception", false, err.stack);
} finally {
  if (oracle) {
    fs.writeFileSync(path.join(out, "console.log"), oracle.console.join("\n"));
    await oracle.stop();
  }
  if (logger) {
    logger.child.stdin.end();
    await logger.exited;
  }
  serve.child.kill("SIGINT");
  const kill = setTimeout(() => serve.child.kill("SIGKILL"), 30000);
  const exit = await serve.exited;
  clearTimeout(kill);
  check("reel serve exits cleanly on SIGINT", exit.code === 0, JSON.stringify(exit));
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
