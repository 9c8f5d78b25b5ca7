// Drives the real Rerun web viewer (npm @rerun-io/web-viewer) in headless Debian Chromium.
//
// One browser and one page serve every case (the viewer takes ~10 s to start). Files are
// served by a tiny HTTP server on 127.0.0.1; the viewer package is staged beside a page
// that exposes the WebViewer as window.viewer and records its events and console lines.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const packageDir = path.join(here, "node_modules", "@rerun-io", "web-viewer");

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
export const VIEWER_VERSION = JSON.parse(
  fs.readFileSync(path.join(packageDir, "package.json"), "utf8")).version;

const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"><title>rerun viewer oracle</title>
<style>html,body{margin:0;height:100%;background:#000}#app{width:100%;height:100%}</style></head>
<body><div id="app"></div>
<script type="module">
  import { WebViewer } from "./index.js";
  window.events = [];
  const viewer = new WebViewer();
  for (const name of ["recording_open", "time_update", "timeline_change"]) {
    viewer.on(name, (e) => window.events.push({ name, ...(typeof e === "object" ? e : { value: e }) }));
  }
  window.viewer = viewer;
  viewer.start(null, document.getElementById("app"), {
    hide_welcome_screen: true, width: "100%", height: "100%", theme: "dark",
  }).then(() => { window.viewerStarted = true; },
          (err) => { window.viewerError = String(err); });
</script></body></html>`;

function stage(dir) {
  fs.mkdirSync(dir, { recursive: true });
  // index.js imports "./re_viewer" without an extension (bundlers resolve it); a plain HTTP
  // server does not, so the staged copy names the file.
  const index = fs.readFileSync(path.join(packageDir, "index.js"), "utf8");
  if (!index.includes('import("./re_viewer")')) throw new Error("index.js: import not found");
  fs.writeFileSync(path.join(dir, "index.js"), index.replace('import("./re_viewer")', 'import("./re_viewer.js")'));
  for (const f of ["re_viewer.js", "re_viewer_bg.wasm"]) fs.copyFileSync(path.join(packageDir, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, "index.html"), PAGE);
}

const TYPES = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".rrd": "application/octet-stream" };

// A console line in which the viewer says a column or component had the wrong type or could
// not be deserialized (its own warnings and errors that name a component or an Arrow type).
export function isTypeError(line) {
  if (/none of the expected physical arrow types|Couldn't read|deserializ|datatype mismatch|failed to cast/i.test(line)) return true;
  return /^(warning|error):\s+(WARN|ERROR) re_/.test(line) && /component|arrow|datatype|expected type/i.test(line);
}

export class Oracle {
  static async start({ workDir, log = () => {} }) {
    const o = new Oracle();
    o.log = log;
    o.workDir = workDir;
    o.staticDir = path.join(workDir, "static");
    stage(o.staticDir);
    o.files = new Map();  // url path -> bytes
    o.server = http.createServer((req, res) => {
      o.log(`http ${req.method} ${req.url} ${JSON.stringify(req.headers.range || "")}`);
      const url = new URL(req.url, "http://127.0.0.1");
      const bytes = o.files.get(url.pathname);
      const file = path.join(o.staticDir, path.normalize(url.pathname).replace(/^\/+/, ""));
      if (bytes) {
        res.writeHead(200, { "content-type": TYPES[".rrd"], "content-length": bytes.length });
        res.end(Buffer.from(bytes));
      } else if (file.startsWith(o.staticDir) && fs.existsSync(file) && fs.statSync(file).isFile()) {
        res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
        fs.createReadStream(file).pipe(res);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise((resolve) => o.server.listen(0, "127.0.0.1", resolve));
    o.base = `http://127.0.0.1:${o.server.address().port}`;
    o.browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--headless", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic", "--enable-unsafe-swiftshader", "--use-angle=swiftshader"],
    });
    o.context = await o.browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    o.page = await o.context.newPage();
    o.console = [];
    o.page.on("console", (m) => o.console.push(`${m.type()}: ${m.text()}`));
    o.page.on("pageerror", (e) => o.console.push(`pageerror: ${e.message}`));
    await o.page.goto(`${o.base}/index.html`);
    await o.page.waitForFunction(() => window.viewerStarted || window.viewerError, null, { timeout: 120000 });
    const error = await o.page.evaluate(() => window.viewerError);
    if (error) throw new Error(`the Rerun viewer did not start: ${error}`);
    return o;
  }

  // Polls `fn(arg)` in the page until it returns a truthy value. The viewer (egui) handles
  // loaded data on repaints, and a headless page without input repaints rarely: each poll
  // moves the mouse over the top bar to wake it.
  async waitFor(fn, arg, { timeout = 60000, what = "condition" } = {}) {
    const deadline = Date.now() + timeout;
    for (let i = 0; ; ++i) {
      const v = await this.page.evaluate(fn, arg);
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
      await this.page.mouse.move(600 + (i % 2) * 20, 12);
      await this.page.waitForTimeout(250);
    }
  }

  // Lets the viewer render a few frames.
  async settle(frames = 8) {
    for (let i = 0; i < frames; ++i) {
      await this.page.mouse.move(600 + (i % 2) * 20, 12);
      await this.page.waitForTimeout(150);
    }
  }

  serve(name, bytes) {
    const p = `/${name}`;
    this.files.set(p, bytes);
    return `${this.base}${p}`;
  }

  // Opens an .rrd URL; resolves with its recording_open event (application and recording ids).
  async open(url, { timeout = 60000 } = {}) {
    const before = await this.page.evaluate(() => window.events.length);
    this.consoleMark = this.console.length;
    await this.page.evaluate((u) => window.viewer.open(u), url);
    return this.waitFor((n) => window.events.slice(n).find((e) => e.name === "recording_open"),
      before, { timeout, what: `recording_open for ${url}` });
  }

  async close(url) {
    await this.page.evaluate((u) => window.viewer.close(u), url);
  }

  // get_time_range once the data arrived (polls until the range is non-null and stable).
  async timeRange(recordingId, timeline, { timeout = 30000 } = {}) {
    return this.waitFor(([r, t]) => {
      const range = window.viewer.get_time_range(r, t);
      if (!range) return null;
      const key = JSON.stringify(range);
      if (window.__lastRange === key) return range;
      window.__lastRange = key;
      return null;
    }, [recordingId, timeline], { timeout, what: `a stable time range of ${timeline}` });
  }

  async setPlaying(recordingId, playing) {
    await this.page.evaluate(([r, p]) => window.viewer.set_playing(r, p), [recordingId, playing]);
  }

  // The viewer's "Save recording" (Ctrl+S): an HTML dialog with a blob link
  // (a#rfd-output "click here to download your file", download="data.rrd"); clicking it
  // downloads the file and closes the dialog. Resolves with the saved bytes.
  async saveRecording(file) {
    await this.page.mouse.click(640, 14);  // focus the canvas (the top bar: selects nothing)
    await this.page.keyboard.press("Control+s");
    const link = this.page.locator("a#rfd-output");
    await this.waitFor(() => document.querySelector("a#rfd-output") !== null, null,
      { timeout: 30000, what: "the save dialog" });
    const [download] = await Promise.all([this.page.waitForEvent("download"), link.click()]);
    await download.saveAs(file);
    return { file, suggested: download.suggestedFilename() };
  }

  async setTime(recordingId, timeline, time) {
    await this.page.evaluate(([r, t, v]) => window.viewer.set_current_time(r, t, v), [recordingId, timeline, time]);
  }

  // Console lines since the last open() that say a column had the wrong type.
  typeErrors() {
    return this.console.slice(this.consoleMark || 0).filter(isTypeError);
  }

  async screenshot(file) {
    return this.page.screenshot({ path: file });
  }

  // Pixel statistics of a screenshot region: `colored` counts pixels whose channels differ by
  // more than 25 (the viewer's chrome and grids are grays); `differing`, with a second
  // screenshot, counts pixels that changed between the two.
  async pixels(png, region, other = null) {
    const p2 = await this.context.newPage();
    try {
      return await p2.evaluate(async ([a, b, r]) => {
        const decode = async (b64) => {
          const bmp = await createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
          const c = new OffscreenCanvas(bmp.width, bmp.height);
          const g = c.getContext("2d");
          g.drawImage(bmp, 0, 0);
          return g.getImageData(r.x, r.y, r.width, r.height).data;
        };
        const d = await decode(a);
        const e = b ? await decode(b) : null;
        let colored = 0, differing = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 25) ++colored;
          if (e && (Math.abs(d[i] - e[i]) + Math.abs(d[i + 1] - e[i + 1]) + Math.abs(d[i + 2] - e[i + 2]) > 30)) ++differing;
        }
        return { colored, differing };
      }, [Buffer.from(png).toString("base64"), other ? Buffer.from(other).toString("base64") : null, region]);
    } finally {
      await p2.close();
    }
  }

  async stop() {
    await this.browser?.close();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
