// Shared by the browser tests: start reel processes, launch Debian's Chromium headless,
// read pixels of the views' canvases.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const kChromium = process.env.REEL_CHROMIUM ?? '/usr/bin/chromium';

/** Environment a browser test needs; a missing variable fails the test with its name. */
export function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (the CTest entry sets it; see viewer/CMakeLists.txt)`);
  return v;
}

export function screenshotDir() {
  const dir = join(env('REEL_BUILD_DIR'), 'viewer-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Starts a program and resolves once its stdout has printed every pattern, with the first
 * capture group of each; rejects if it exits first (with its output in the message).
 * `stdin: true` gives the child a pipe to write to (child.stdin).
 */
export function startProcess(cmd, args, patterns, { stdin = false } = {}) {
  const child = spawn(cmd, args, { stdio: [stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const found = new Promise((resolve, reject) => {
    const check = () => {
      const m = patterns.map((p) => p.exec(out));
      if (m.every(Boolean)) resolve(m.map((x) => x[1]));
    };
    child.stdout.on('data', (d) => {
      out += d;
      check();
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code, signal) => reject(new Error(`${cmd} ${args.join(' ')} exited (${code ?? signal}) before printing ${patterns.join(', ')}\nstdout: ${out}\nstderr: ${err}`)));
    child.on('error', reject);
  });
  return { child, found, output: () => ({ out, err }) };
}

/** Runs a program to completion; rejects on a non-zero exit status. */
export function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}\n${out}`))));
    child.on('error', reject);
  });
}

/**
 * What the server holds once a logger is done: waits for the logger process to exit (its
 * last chunks are then written to the socket) and for the server to have no ingest client
 * left (it has read and stored everything the logger sent), then returns /api/info. The
 * line a logger prints at its end comes before that, so /api/info read then can miss rows.
 */
export async function infoAfterLogger(url, child) {
  if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once('exit', resolve));
  assert.equal(child.exitCode, 0, 'the logger exited with an error');
  for (let i = 0; ; i++) {
    const info = await (await fetch(new URL('/api/info', url))).json();
    if (info.ingest_clients === 0) return info;
    assert.ok(i < 600, `the server still has ${info.ingest_clients} ingest clients 30 s after the logger exited`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export function stop(child) {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
}

export async function launchBrowser() {
  const profile = mkdtempSync(join(tmpdir(), 'reel-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: kChromium,
    headless: true,
    viewport: { width: 1600, height: 1000 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { context, close };
}

/**
 * Opens the viewer and waits until status().caught_up: every row the server had is held and
 * a frame was drawn after the last (the header's data-caught-up can turn true a frame before
 * that draw).
 */
export async function openViewer(context, url, errors) {
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForFunction(() => window.reel.status().caught_up, null, { timeout: 60_000 });
  return page;
}

/**
 * Pixel statistics of a canvas (WebGL or 2D) in the page: how many pixels differ from the
 * corner (background) color, how many are saturated colors (data, not the gray grid), how
 * many distinct colors there are, and a hash to tell two renderings apart.
 */
export async function canvasStats(page, selector) {
  return page.$eval(selector, (canvas) => {
    const w = canvas.width;
    const h = canvas.height;
    const copy = document.createElement('canvas');
    copy.width = w;
    copy.height = h;
    const c = copy.getContext('2d');
    c.drawImage(canvas, 0, 0);
    const px = c.getImageData(0, 0, w, h).data;
    const bg = [px[0], px[1], px[2]];
    let foreground = 0;
    let colorful = 0;
    let hash = 2166136261;
    const colors = new Set();
    for (let i = 0; i < px.length; i += 4) {
      if (Math.abs(px[i] - bg[0]) + Math.abs(px[i + 1] - bg[1]) + Math.abs(px[i + 2] - bg[2]) > 24) foreground++;
      if (Math.max(px[i], px[i + 1], px[i + 2]) - Math.min(px[i], px[i + 1], px[i + 2]) > 60) colorful++;
      if (i % 64 === 0) colors.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
      hash = Math.imul(hash ^ px[i] ^ (px[i + 1] << 8) ^ (px[i + 2] << 16), 16777619);
    }
    return { width: w, height: h, foreground, colorful, colors: colors.size, hash: hash >>> 0 };
  });
}

/** Counts pixels that differ between two renderings of a canvas (as data URLs). */
export async function pixelDiff(page, a, b) {
  return page.evaluate(async ([a, b]) => {
    const load = async (url) => {
      const img = new Image();
      img.src = url;
      await img.decode();
      const c = document.createElement('canvas');
      c.width = img.width;
      c.height = img.height;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      return g.getImageData(0, 0, c.width, c.height).data;
    };
    const [pa, pb] = await Promise.all([load(a), load(b)]);
    if (pa.length !== pb.length) return Infinity;
    let n = 0;
    for (let i = 0; i < pa.length; i += 4) {
      if (Math.abs(pa[i] - pb[i]) + Math.abs(pa[i + 1] - pb[i + 1]) + Math.abs(pa[i + 2] - pb[i + 2]) > 24) n++;
    }
    return n;
  }, [a, b]);
}

export async function canvasDataUrl(page, selector) {
  return page.$eval(selector, (c) => c.toDataURL('image/png'));
}

/** Resolves after the page has drawn two more animation frames. */
export function nextFrames(page) {
  return page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
}

/** The entity paths in the entity tree. */
export function treeEntities(page) {
  return page.$$eval('.tree-row', (rows) => rows.map((r) => r.dataset.entity));
}
