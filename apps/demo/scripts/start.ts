/**
 * `pnpm --filter @sandproc/demo start`: starts a local sandbox server with a fresh token and the
 * demo in front of it, then prints the one URL to open. Ctrl-C stops both.
 *
 * Options (flags or environment):
 *   --port N / DEMO_PORT              demo port (default 5173; 0 = any free port)
 *   --preview / DEMO_MODE=preview     serve the production build instead of the dev server
 *   --sandbox URL / SANDPROC_URL      use this sandbox server instead of starting a local one
 *   SANDPROC_TOKEN                    its token (kept in this process, never sent to the browser)
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createSandboxServer, IsolationUnavailableError } from '@sandproc/server';
import { buildDemo, isBuildStale, startDemoServer } from './launch.js';
import { LOCAL_SANDBOX_OPTIONS } from './local-sandbox.js';

const { values } = parseArgs({
  // `pnpm start -- --port 0` passes the `--` on: skip it rather than treat the flags as positionals.
  args: process.argv.slice(2).filter((argument, position) => !(position === 0 && argument === '--')),
  options: {
    port: { type: 'string' },
    preview: { type: 'boolean', default: false },
    sandbox: { type: 'string' },
  },
});

const port = Number(values.port ?? process.env.DEMO_PORT ?? 5173);
const mode = values.preview || process.env.DEMO_MODE === 'preview' ? 'preview' : 'dev';
const externalUrl = values.sandbox ?? process.env.SANDPROC_URL;

const externalToken = process.env.SANDPROC_TOKEN;
delete process.env.SANDPROC_TOKEN;

/**
 * The local sandbox, isolated (bubblewrap) where it can be: demo visitors type commands. Without
 * bubblewrap it runs in the default mode and says so.
 */
async function startLocalSandbox() {
  const options = { ...LOCAL_SANDBOX_OPTIONS, port: 0, token: randomBytes(24).toString('base64url') };
  try {
    return await createSandboxServer({ ...options, isolate: true });
  } catch (error) {
    if (!(error instanceof IsolationUnavailableError)) throw error;
    console.warn(`sandbox: not isolated (${error.message})`);
    return await createSandboxServer(options);
  }
}

const sandbox = externalUrl
  ? { url: externalUrl, token: externalToken, close: async () => {} }
  : await startLocalSandbox();
if ('options' in sandbox)
  console.log(
    `sandbox: ${sandbox.options.containment}${sandbox.options.workspace ? ` (workspace ${sandbox.options.workspace})` : ''}`,
  );

if (mode === 'preview' && isBuildStale()) await buildDemo();
const demo = await startDemoServer({ mode, sandboxUrl: sandbox.url, sandboxToken: sandbox.token, port });

console.log(`demo ready: ${demo.url}`);

// Ctrl-C or SIGTERM: stop the demo server and the sandbox (which kills its processes), then exit
// with code 0, a clean shutdown (`package.json` runs this with `exec`, so no shell between pnpm
// and this process dies of the signal and makes pnpm report a failure).
let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled([demo.close(), sandbox.close()]);
  process.exit(0);
}
process.on('SIGINT', () => void shutdown());
process.on('SIGTERM', () => void shutdown());
