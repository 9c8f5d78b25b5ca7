import { defineConfig } from 'vitest/config';

// `npm run dev` proxies the API and the WebSocket to a running `reel view`/`reel serve`
// (REEL_SERVER, default http://127.0.0.1:9090), so the viewer can be edited live.
const server = process.env.REEL_SERVER ?? 'http://127.0.0.1:9090';

export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    sourcemap: false,
  },
  server: {
    proxy: {
      '/api': server,
      '/ws': { target: server.replace(/^http/, 'ws'), ws: true },
    },
  },
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
  },
});
