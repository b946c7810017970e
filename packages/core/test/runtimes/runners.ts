/**
 * Runs the bundled smoke (see `bundle.ts`) in each runtime and returns its report,
 * or throws with what the runtime said. Only 127.0.0.1 traffic.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { SmokeBundles } from './bundle.js';
import type { SmokeOptions, SmokeReport } from './smoke.js';
import { CHROMIUM_ARGS } from '@sandproc/test-utils';

const require = createRequire(import.meta.url);
const RUN_TIMEOUT_MS = 50_000;
const RESULT_MARK = 'SMOKE_RESULT ';
const ERROR_MARK = 'SMOKE_ERROR ';

interface SerializedError {
  name?: string;
  message: string;
  stack?: string;
  cause?: string;
}

/** Source of a function turning an error into a `SerializedError`, evaluated inside each runtime. */
export const SERIALIZE_ERROR_SOURCE = `(error) => ({
  name: error?.name,
  message: String(error?.message ?? error),
  stack: error?.stack,
  cause: error?.cause === undefined ? undefined : String(error.cause?.stack ?? error.cause),
})`;

function smokeFailed(runtime: string, error: SerializedError, details = ''): Error {
  const cause = error.cause ? `\n  caused by: ${error.cause}` : '';
  const failure = new Error(`smoke failed in ${runtime}: ${error.name ?? 'Error'}: ${error.message}${cause}${details}`);
  if (error.stack) failure.stack = `${failure.message}\n--- stack in ${runtime} ---\n${error.stack}`;
  return failure;
}

/** Path of the Deno binary shipped by the `@deno/linux-x64-glibc` dev dependency. */
export function denoBinary(): string {
  return join(require.resolve('@deno/linux-x64-glibc/package.json'), '..', 'deno');
}

/** Path of the Bun binary shipped by the `@oven/bun-linux-x64` dev dependency. */
export function bunBinary(): string {
  return join(require.resolve('@oven/bun-linux-x64/package.json'), '..', 'bin', 'bun');
}

/** The program each child runtime runs: import the bundle, print one marked line, exit. */
function childProgram(options: SmokeOptions, exit: string): string {
  return `import { runSmoke } from './smoke.mjs';
let code = 0;
try {
  const report = await runSmoke(${JSON.stringify(options)});
  console.log(${JSON.stringify(RESULT_MARK)} + JSON.stringify(report));
} catch (error) {
  code = 1;
  console.log(${JSON.stringify(ERROR_MARK)} + JSON.stringify((${SERIALIZE_ERROR_SOURCE})(error)));
}
${exit}
`;
}

function runChild(
  runtime: string,
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<SmokeReport> {
  return new Promise((resolvePromise, reject) => {
    if (!existsSync(command)) {
      reject(new Error(`${runtime}: binary not found at ${command} (is the dev dependency installed?)`));
      return;
    }
    const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${runtime}: could not start ${command}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const details = `\n--- ${runtime} exit ${code ?? signal}; stderr ---\n${stderr.slice(-4000)}\n--- stdout ---\n${stdout.slice(-4000)}`;
      const lines = stdout.split('\n');
      const result = lines.find((line) => line.startsWith(RESULT_MARK));
      const failure = lines.find((line) => line.startsWith(ERROR_MARK));
      if (failure)
        reject(smokeFailed(runtime, JSON.parse(failure.slice(ERROR_MARK.length)) as SerializedError, details));
      else if (result && code === 0) resolvePromise(JSON.parse(result.slice(RESULT_MARK.length)) as SmokeReport);
      else
        reject(
          new Error(
            `${runtime}: no smoke result${signal === 'SIGKILL' ? ` within ${RUN_TIMEOUT_MS} ms` : ''}${details}`,
          ),
        );
    });
  });
}

export async function runInNode(bundles: SmokeBundles, options: SmokeOptions): Promise<SmokeReport> {
  const file = join(bundles.directory, 'run-node.mjs');
  await writeFile(file, childProgram({ ...options, runtime: 'node' }, 'process.exit(code);'));
  return runChild('node', process.execPath, [file], {}, bundles.directory);
}

export async function runInDeno(bundles: SmokeBundles, options: SmokeOptions): Promise<SmokeReport> {
  const file = join(bundles.directory, 'run-deno.mjs');
  await writeFile(file, childProgram({ ...options, runtime: 'deno' }, 'Deno.exit(code);'));
  return runChild(
    'deno',
    denoBinary(),
    ['run', '--no-config', '--no-lock', '--no-prompt', '--allow-net=127.0.0.1', file],
    { DENO_DIR: join(bundles.directory, 'deno-dir'), DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1' },
    bundles.directory,
  );
}

export async function runInBun(bundles: SmokeBundles, options: SmokeOptions): Promise<SmokeReport> {
  const file = join(bundles.directory, 'run-bun.mjs');
  await writeFile(file, childProgram({ ...options, runtime: 'bun' }, 'process.exit(code);'));
  return runChild(
    'bun',
    bunBinary(),
    ['run', '--no-install', file],
    { BUN_INSTALL_CACHE_DIR: join(bundles.directory, 'bun-cache'), DO_NOT_TRACK: '1' },
    bundles.directory,
  );
}

/** workerd, through miniflare: the worker's fetch handler runs the smoke and answers JSON. */
export async function runInWorkerd(bundles: SmokeBundles, options: SmokeOptions): Promise<SmokeReport> {
  const { Miniflare } = await import('miniflare');
  const miniflare = new Miniflare({
    modules: true,
    script: bundles.workerCode,
    compatibilityDate: '2025-06-01',
    bindings: {
      SANDBOX_URL: options.baseUrl,
      SANDBOX_TOKEN: options.token ?? '',
      SANDBOX_REFUSED_URL: options.refusedUrl ?? '',
    },
  });
  try {
    const response = await miniflare.dispatchFetch('http://localhost/smoke');
    const text = await response.text();
    let body: { ok: boolean; report?: SmokeReport; error?: SerializedError };
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      throw new Error(`workerd: answered ${response.status} with non-JSON: ${text.slice(0, 2000)}`);
    }
    if (!body.ok || !body.report) throw smokeFailed('workerd', body.error ?? { message: text });
    return body.report;
  } finally {
    await miniflare.dispose();
  }
}

/** The Vercel-style edge runtime: the classic-script bundle evaluated in an `EdgeVM`. */
export async function runInEdgeRuntime(bundles: SmokeBundles, options: SmokeOptions): Promise<SmokeReport> {
  const { EdgeVM } = await import('@edge-runtime/vm');
  const vm = new EdgeVM();
  vm.evaluate(bundles.scriptCode);
  const outcome = await vm.evaluate<Promise<string>>(
    `SandprocSmoke.runSmoke(${JSON.stringify({ ...options, runtime: 'edge-runtime' })}).then(
      (report) => JSON.stringify({ ok: true, report }),
      (error) => JSON.stringify({ ok: false, error: (${SERIALIZE_ERROR_SOURCE})(error) }),
    )`,
  );
  const body = JSON.parse(outcome) as { ok: boolean; report?: SmokeReport; error?: SerializedError };
  if (!body.ok || !body.report) throw smokeFailed('edge-runtime', body.error ?? { message: outcome });
  return body.report;
}

/** A tiny static server for the browser page: `/` loads `/smoke.mjs` as a module. */
export interface PageServer {
  origin: string;
  close(): Promise<void>;
}

export async function startPageServer(bundles: SmokeBundles): Promise<PageServer> {
  const page = `<!doctype html><meta charset="utf-8"><title>sandproc smoke</title>
<script type="module">
import { runSmoke } from '/smoke.mjs';
window.runSmoke = runSmoke;
window.smokeReady = true;
</script>`;
  const server: Server = createServer((request, response) => {
    if (request.url === '/smoke.mjs') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      response.end(bundles.moduleCode);
    } else if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      response.end(page);
    } else if (request.url === '/favicon.ico') {
      response.writeHead(204).end();
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolvePromise) => server.listen(0, '127.0.0.1', resolvePromise));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolvePromise) => {
        server.closeAllConnections();
        server.close(() => resolvePromise());
      }),
  };
}

/**
 * Where Chromium is: `CHROMIUM_PATH` when set (an error if nothing is there: a wrong setting must
 * not pass silently), else `/usr/bin/chromium` or `chromium` on the `PATH` (what scripts/setup.sh
 * installs). `path` is undefined when there is none; `problem` then says why.
 */
export function findChromium(): { path?: string; problem?: string } {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) {
    return existsSync(configured) ? { path: configured } : { problem: `CHROMIUM_PATH=${configured} does not exist` };
  }
  const onPath = (process.env.PATH ?? '')
    .split(':')
    .filter(Boolean)
    .map((directory) => join(directory, 'chromium'));
  const found = ['/usr/bin/chromium', ...onPath].find((path) => existsSync(path));
  return found
    ? { path: found }
    : { problem: 'Chromium not found: install it (scripts/setup.sh does, with apt-get) or set CHROMIUM_PATH' };
}

/** Headless Chromium: the page is served from `pageOrigin`, the sandbox is reached cross-origin (CORS). */
export async function runInChromium(
  executablePath: string,
  pageOrigin: string,
  options: SmokeOptions,
): Promise<SmokeReport> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath, headless: true, args: [...CHROMIUM_ARGS] });
  try {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.goto(`${pageOrigin}/`);
    await page.waitForFunction(() => (window as { smokeReady?: boolean }).smokeReady === true, undefined, {
      timeout: 20_000,
    });
    const body = (await page.evaluate(
      `(async () => {
        try {
          return { ok: true, report: await window.runSmoke(${JSON.stringify({ ...options, runtime: 'chromium' })}) };
        } catch (error) {
          return { ok: false, error: (${SERIALIZE_ERROR_SOURCE})(error) };
        }
      })()`,
    )) as { ok: boolean; report?: SmokeReport; error?: SerializedError };
    if (!body.ok) {
      const details = pageErrors.length > 0 ? `\n--- page errors ---\n${pageErrors.join('\n')}` : '';
      throw smokeFailed('chromium', body.error ?? { message: 'no error' }, details);
    }
    if (!body.report) throw new Error('chromium: the smoke returned no report');
    return body.report;
  } finally {
    await browser.close();
  }
}
