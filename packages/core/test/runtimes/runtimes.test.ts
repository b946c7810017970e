/**
 * Issue #3: the same smoke script (exec with streamed output, streamLogs, wait, kill) passes,
 * unchanged, in Node, Deno, Bun, workerd, the Vercel edge runtime and Chromium, against a real
 * local server. The smoke is bundled once from the built core (see `bundle.ts`).
 */
import net from 'node:net';
import { createSandboxServer } from '@sandproc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSmokeBundles, type SmokeBundles } from './bundle.js';
import {
  findChromium,
  runInBun,
  runInChromium,
  runInDeno,
  runInEdgeRuntime,
  runInNode,
  runInWorkerd,
  startPageServer,
  type PageServer,
} from './runners.js';
import type { SmokeOptions, SmokeReport } from './smoke.js';

const RUNTIME_TIMEOUT_MS = 60_000;
const inCI = process.env.CI === 'true' || process.env.CI === '1';
const chromium = findChromium();

let server: Awaited<ReturnType<typeof createSandboxServer>> | undefined;
let bundles: SmokeBundles | undefined;
let pageServer: PageServer | undefined;

let refusedUrl = '';

function smokeOptions(): SmokeOptions {
  if (!server) throw new Error('the sandbox server did not start');
  return { baseUrl: server.url, token: server.token, refusedUrl };
}

function requireBundles(): SmokeBundles {
  if (!bundles) throw new Error('the smoke bundles were not built');
  return bundles;
}

function expectFullReport(report: SmokeReport, runtime: string): void {
  expect(report.runtime).toBe(runtime);
  expect(report.exec).toMatchObject({ status: 'completed', exitCode: 0, stdoutLines: ['out-1', 'out-2', 'out-3'] });
  expect(report.exec.stderrLines).toEqual(['err-1', 'err-2', 'err-3']);
  expect(report.streamLogs).toMatchObject({ records: 44, stderrRecords: 4 });
  expect(report.wait).toMatchObject({ status: 'failed', exitCode: 3 });
  expect(report.kill.status).toBe('killed');
  expect(report.notFound).toBe(true);
  // Server not running: where the runtime says the connection was refused (Node, Deno, Bun), a
  // NetworkError that says nothing started; elsewhere the error names the URL at least, and in a
  // browser page the page's origin and the likely causes.
  const message = report.refused?.message ?? '';
  expect(message).toContain(`${refusedUrl}/process`);
  if (['node', 'deno', 'bun'].includes(runtime)) {
    expect(report.refused?.kind).toBe('network');
    expect(message).toMatch(/connection refused, nothing was sent or started/);
  } else if (runtime === 'chromium') {
    expect(message).toMatch(
      /is unreachable from http:\/\/127\.0\.0\.1:\d+: the server is down, or does not allow this origin \(CORS/,
    );
  }
}

beforeAll(async () => {
  bundles = await buildSmokeBundles();
  // The page is served from its own origin, so the browser reaches the sandbox cross-origin, with CORS.
  pageServer = await startPageServer(bundles);
  server = await createSandboxServer({ port: 0, corsOrigins: [pageServer.origin] });
  // A port nothing listens on: taken, then released.
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  refusedUrl = `http://127.0.0.1:${(closed.address() as net.AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
}, RUNTIME_TIMEOUT_MS);

afterAll(async () => {
  await server?.close();
  await pageServer?.close();
  await bundles?.dispose();
});

describe('the core runs unchanged in every runtime', () => {
  it('Node', { timeout: RUNTIME_TIMEOUT_MS }, async () => {
    expectFullReport(await runInNode(requireBundles(), smokeOptions()), 'node');
  });

  it('Deno', { timeout: RUNTIME_TIMEOUT_MS }, async () => {
    expectFullReport(await runInDeno(requireBundles(), smokeOptions()), 'deno');
  });

  it('Bun', { timeout: RUNTIME_TIMEOUT_MS }, async () => {
    expectFullReport(await runInBun(requireBundles(), smokeOptions()), 'bun');
  });

  it('workerd (miniflare)', { timeout: RUNTIME_TIMEOUT_MS }, async () => {
    expectFullReport(await runInWorkerd(requireBundles(), smokeOptions()), 'workerd');
  });

  it('Vercel edge runtime (@edge-runtime/vm)', { timeout: RUNTIME_TIMEOUT_MS }, async () => {
    expectFullReport(await runInEdgeRuntime(requireBundles(), smokeOptions()), 'edge-runtime');
  });

  // In CI a missing browser is a failure, never a silent skip; on a laptop it may be skipped
  // (unless CHROMIUM_PATH is set to something that does not exist: that always fails).
  const skipBrowser = !chromium.path && !inCI && !process.env.CHROMIUM_PATH;
  it.skipIf(skipBrowser)(
    'Chromium (playwright-core, cross-origin with CORS)',
    { timeout: RUNTIME_TIMEOUT_MS },
    async () => {
      if (!chromium.path) throw new Error(`${chromium.problem}. The browser runtime test must run in CI.`);
      if (!pageServer) throw new Error('the page server did not start');
      expectFullReport(await runInChromium(chromium.path, pageServer.origin, smokeOptions()), 'chromium');
    },
  );
});
