import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { sandboxProxy } from './scripts/sandbox-proxy.js';

// `scripts/start.ts` (the usual entry point) adds the `/sandbox` proxy itself. Running plain
// `vite` also works when SANDPROC_URL (and SANDPROC_TOKEN) point at a running sandbox server;
// both stay in the Node process: nothing here is exposed to the bundle (no VITE_ prefix).
const sandboxUrl = process.env.SANDPROC_URL;

export default defineConfig({
  plugins: [react(), ...(sandboxUrl ? [sandboxProxy({ target: sandboxUrl, token: process.env.SANDPROC_TOKEN })] : [])],
  envPrefix: 'DEMO_PUBLIC_',
  build: { sourcemap: false, chunkSizeWarningLimit: 1024 },
});
