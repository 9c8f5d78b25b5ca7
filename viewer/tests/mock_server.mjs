// Development only: a stand-in for `reel view` that speaks docs/viewer-protocol.md with
// demo-like data built in JavaScript (what examples/demo.cpp logs), so the viewer can be
// worked on without the C++ server. The browser tests use the real server.
//
// Usage: node tests/mock_server.mjs [--web-root DIR] [--port N] [--frames N] [--live] [--big N]
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { WebSocketServer } from 'ws';
import { buildChunkPayload, frame } from './fixtures.mjs';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const webRoot = opt('--web-root', new URL('../../build-viewer/viewer-dist', import.meta.url).pathname);
const port = Number(opt('--port', '9090'));
const frames = Number(opt('--frames', '200'));
const live = args.includes('--live');
// --big N: one more series of N points (/big/signal), to check plotting millions of points.
const big = Number(opt('--big', '0'));

let inc = 0n;
const rowId = () => [BigInt(Date.now()) * 1_000_000n, inc++];
const color = (r, g, b, a = 255) => ((r << 24) | (g << 16) | (b << 8) | a) >>> 0;

/** The chunks of frames [f0, f1), one per entity, like the SDK's batcher would cut them. */
function framesChunks(f0, f1) {
  const out = [];
  const times = (f) => ({ frame: BigInt(f), sim_time: BigInt(f) * 50_000_000n });
  const tl = { frame: 'sequence', sim_time: 'duration' };
  const range = [];
  for (let f = f0; f < f1; f++) range.push(f);
  for (let i = 0; i < 3; i++) {
    for (let j = 0; j < 3; j++) {
      out.push(buildChunkPayload(`/plots/p${i}/s${j}`, tl, ['Scalars:scalars'], range.map((f) => ({
        id: rowId(), times: times(f), cells: { 'Scalars:scalars': [Math.sin(f * 0.05 + j) * (i + 1)] },
      }))));
    }
  }
  out.push(buildChunkPayload('/world/lidar', tl, ['Points3D:positions', 'Points3D:colors', 'Points3D:radii'], range.map((f) => {
    const t = f * 0.05;
    const pos = [];
    const cols = [];
    for (let k = 0; k < 2000; k++) {
      const a = k * 0.0314 + t;
      const r = 2 + Math.sin(k * 0.7);
      pos.push([r * Math.cos(a), r * Math.sin(a), 0.002 * k]);
      cols.push(color(k % 255, Math.round(128 + 127 * Math.sin(a)), 200));
    }
    return { id: rowId(), times: times(f), cells: { 'Points3D:positions': pos, 'Points3D:colors': cols, 'Points3D:radii': [0.02] } };
  })));
  out.push(buildChunkPayload('/world/robot', tl, ['Transform3D:translation', 'Boxes3D:half_sizes', 'Boxes3D:colors'], range.map((f) => ({
    id: rowId(), times: times(f), cells: {
      'Transform3D:translation': [[Math.cos(f * 0.05), Math.sin(f * 0.05), 0]],
      'Boxes3D:half_sizes': [[0.4, 0.3, 0.2]],
      'Boxes3D:colors': [color(255, 120, 0)],
    },
  }))));
  out.push(buildChunkPayload('/world/robot/path', tl, ['LineStrips3D:strips'], range.map((f) => ({
    id: rowId(), times: times(f), cells: { 'LineStrips3D:strips': [[[0, 0, 0], [1, 0, 0], [1, 1, 0]]] },
  }))));
  const images = range.filter((f) => f % 10 === 0);
  if (images.length) {
    out.push(buildChunkPayload('/camera/rgb', tl, ['Image:buffer', 'Image:format'], images.map((f) => {
      const px = new Uint8Array(64 * 48 * 3);
      for (let p = 0; p < px.length; p += 3) {
        px[p] = ((p / 3) % 64) * 4 + f;
        px[p + 1] = Math.floor(p / 3 / 64) * 5;
        px[p + 2] = 128 + f;
      }
      return { id: rowId(), times: times(f), cells: { 'Image:buffer': [px], 'Image:format': [{ width: 64, height: 48, color_model: 2, channel_datatype: 1 }] } };
    })));
  }
  const logs = range.filter((f) => f % 25 === 0);
  if (logs.length) {
    out.push(buildChunkPayload('/logs', tl, ['TextLog:text', 'TextLog:level'], logs.map((f) => ({
      id: rowId(), times: times(f), cells: { 'TextLog:text': [`frame ${f} processed`], 'TextLog:level': [f % 100 === 0 ? 'WARN' : 'INFO'] },
    }))));
  }
  return out;
}

const store = [
  buildChunkPayload('/world', {}, ['ViewCoordinates:xyz'], [{ id: rowId(), cells: { 'ViewCoordinates:xyz': [[3, 5, 1]] } }]),
  buildChunkPayload('/docs/readme', {}, ['TextDocument:text', 'TextDocument:media_type'], [
    { id: rowId(), cells: { 'TextDocument:text': ['# Demo run\n\nA robot drives a circle.\n\n- lidar: 2000 points\n- camera: 64x48 RGB'], 'TextDocument:media_type': ['text/markdown'] } },
  ]),
];
for (let f = 0; f < frames; f += 20) store.push(...framesChunks(f, Math.min(frames, f + 20)));
for (let f0 = 0; f0 < big; f0 += 100_000) {
  const rows = [];
  for (let f = f0; f < Math.min(big, f0 + 100_000); f++) {
    rows.push({ id: rowId(), times: { frame: BigInt(Math.floor((f * frames) / big)), sim_time: BigInt(f) * 1000n }, cells: { 'Scalars:scalars': [Math.sin(f * 1e-4) + Math.sin(f * 0.37) * 0.2] } });
  }
  store.push(buildChunkPayload('/big/signal', { frame: 'sequence', sim_time: 'duration' }, ['Scalars:scalars'], rows));
}

const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml' };
const http = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (url.pathname === '/api/info') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ application_id: 'mock_demo', recording_id: 'mock', chunks: store.length, bytes: store.reduce((n, c) => n + c.byteLength, 0) }));
    return;
  }
  const path = normalize(join(webRoot, url.pathname === '/' ? 'index.html' : url.pathname));
  if (!path.startsWith(webRoot) || !existsSync(path) || !statSync(path).isFile()) {
    res.statusCode = 404;
    res.end('not found');
    return;
  }
  res.setHeader('content-type', types[extname(path)] ?? 'application/octet-stream');
  createReadStream(path).pipe(res);
});
const wss = new WebSocketServer({ server: http, path: '/ws' });
wss.on('connection', (ws) => {
  ws.send(JSON.stringify({ type: 'hello', version: 1, application_id: 'mock_demo', recording_id: 'mock' }));
  for (const c of store) ws.send(frame(1, 0, c));
  ws.send(JSON.stringify({ type: 'caught_up', chunks: store.length }));
});
http.listen(port, '127.0.0.1', () => {
  console.log(`reel: viewer at http://127.0.0.1:${http.address().port}/`);
  if (!live) return;
  let f = frames;
  setInterval(() => {
    const chunks = framesChunks(f, f + 3);
    f += 3;
    store.push(...chunks);
    for (const ws of wss.clients) for (const c of chunks) ws.send(frame(1, 0, c));
  }, 100);
});
