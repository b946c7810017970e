/**
 * Starts the real Blaxel sandbox-api (the reference server, ../shared/blaxel-sandbox-api) for a test
 * file, with the same shape as `startSandbox`, so one test runs against our server (strict and
 * extended) and against the real one. Skipped where the binary is absent.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { createClient, type ClientOptions } from '../../src/index.js';
import { modes, startSandbox, until, type Mode, type Sandbox } from './sandbox.js';

const startScript = process.env.SANDPROC_REFERENCE_SERVER ?? '/work/shared/blaxel-sandbox-api/start.sh';

/** Our server in both modes, and the reference server where it is installed. */
export type Lane = Mode | 'reference';
export const lanes: Lane[] = [...modes, ...(existsSync(startScript) ? (['reference'] as const) : [])];

/** A loopback port nothing listens on (taken, then released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts the reference server on a free loopback port; ready once `/health` answers 200. */
export async function startReferenceSandbox(): Promise<Sandbox> {
  const port = await freePort();
  const child = spawn(startScript, [String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200);
  const clientFor = (baseUrl: string, options: Partial<ClientOptions> = {}) => createClient({ baseUrl, retry: { initialDelayMs: 50 }, ...options });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    url,
    token: '',
    client: clientFor(url),
    clientFor,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Our server in `lane`'s mode, or the reference server. */
export function startLane(lane: Lane, options?: Parameters<typeof startSandbox>[1]): Promise<Sandbox> {
  return lane === 'reference' ? startReferenceSandbox() : startSandbox(lane, options);
}
