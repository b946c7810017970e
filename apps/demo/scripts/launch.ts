/**
 * Starts the demo: a Vite server (dev or preview) whose `/sandbox` proxy forwards to a sandbox
 * server with its token. Shared by `scripts/start.ts` and the end-to-end test.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, createServer, preview, type InlineConfig } from 'vite';
import { sandboxProxy } from './sandbox-proxy.js';

export const appRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const distDir = path.join(appRoot, 'dist');

export interface DemoServerOptions {
  /** `dev` runs Vite's dev server (hot reload); `preview` serves the production build in `dist/`. */
  mode: 'dev' | 'preview';
  /** Sandbox server the `/sandbox` proxy forwards to. */
  sandboxUrl: string;
  /** Token the proxy adds as `Authorization: Bearer`. Never sent to the browser. */
  sandboxToken?: string;
  /** Port for the demo (the next free one if it is taken); 0 picks any free one. Default 0. */
  port?: number;
  host?: string;
  logLevel?: InlineConfig['logLevel'];
  /** Vite's cache folder (pre-bundled dependencies). Default `node_modules/.vite`; tests use their own. */
  cacheDir?: string;
  /** Folder of the production build served by `preview`. Default `dist/`. */
  outDir?: string;
}

export interface DemoServer {
  /** e.g. `http://127.0.0.1:5173/` */
  url: string;
  close(): Promise<void>;
}

function baseConfig(options: DemoServerOptions): InlineConfig {
  return {
    root: appRoot,
    configFile: path.join(appRoot, 'vite.config.ts'),
    logLevel: options.logLevel ?? 'warn',
    clearScreen: false,
    ...(options.cacheDir ? { cacheDir: options.cacheDir } : {}),
    ...(options.outDir ? { build: { outDir: options.outDir } } : {}),
    plugins: [sandboxProxy({ target: options.sandboxUrl, token: options.sandboxToken })],
  };
}

function newestMtime(directory: string): number {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** True when `dist/` is missing or older than the sources it is built from. */
export function isBuildStale(): boolean {
  const builtIndex = path.join(distDir, 'index.html');
  if (!existsSync(builtIndex)) return true;
  const sources = Math.max(
    newestMtime(path.join(appRoot, 'src')),
    statSync(path.join(appRoot, 'index.html')).mtimeMs,
    statSync(path.join(appRoot, 'vite.config.ts')).mtimeMs,
  );
  return sources > statSync(builtIndex).mtimeMs;
}

/** Builds the app into `outDir` (default `dist/`): the production bundle, no token anywhere in it. */
export async function buildDemo(options: { outDir?: string; logLevel?: InlineConfig['logLevel'] } = {}): Promise<void> {
  const { outDir = distDir, logLevel = 'warn' } = options;
  // Vite and the React plugin take NODE_ENV from the environment when it is set (vitest sets
  // `test`, which would give React's development build): build with `production`.
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      root: appRoot,
      configFile: path.join(appRoot, 'vite.config.ts'),
      mode: 'production',
      logLevel,
      clearScreen: false,
      build: { outDir, emptyOutDir: true },
    });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
}

export async function startDemoServer(options: DemoServerOptions): Promise<DemoServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 0;
  // A busy port is not fatal: Vite tries the next ones, and the URL printed has the real port.
  const listen = { host, port, strictPort: false };
  if (options.mode === 'dev') {
    const server = await createServer({ ...baseConfig(options), server: listen });
    await server.listen();
    const address = server.httpServer?.address() as AddressInfo;
    return { url: `http://${host}:${address.port}/`, close: () => server.close() };
  }
  const server = await preview({ ...baseConfig(options), preview: listen });
  const address = server.httpServer.address() as AddressInfo;
  return { url: `http://${host}:${address.port}/`, close: () => server.close() };
}
