/**
 * Starts the real Blaxel sandbox-api (the reference server) for the differential suite and the
 * core's reference lane: on 127.0.0.1, a free port, a fresh temporary directory (removed at stop),
 * the environment its `start.sh` sets, except `SHELL`: the shell our server runs commands in.
 * Test-only code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveShell } from '../../src/process/shell-path.js';

/** Environment variable naming the reference binary (`sandbox-api`). */
export const REFERENCE_SERVER_VARIABLE = 'SANDPROC_REFERENCE_SERVER';

const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
const DEFAULT_BINARY = resolve(REPOSITORY_ROOT, '../shared/blaxel-sandbox-api/sandbox-api');
const READY_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 15_000;

/** The reference binary's path, or `undefined` when there is none (the reference lanes skip). */
export function findReferenceBinary(): string | undefined {
  const named = process.env[REFERENCE_SERVER_VARIABLE];
  if (named !== undefined && named !== '') return existsSync(named) ? resolve(named) : undefined;
  return existsSync(DEFAULT_BINARY) ? DEFAULT_BINARY : undefined;
}

/** The one line printed when the reference lanes skip. */
export function referenceSkipLine(lane: string): string {
  return `${lane}: skipped, no reference server (set ${REFERENCE_SERVER_VARIABLE} to the sandbox-api binary, or put it at ${DEFAULT_BINARY})`;
}

/** A running reference server. */
export interface ReferenceServer {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  /** The server's own pid (SIGTERM stops it). */
  readonly pid: number;
  /** Its temporary directory: log files, state files, the working directory of processes. */
  readonly directory: string;
  /** SIGKILL to the process groups it still runs, SIGTERM to it, removes its directory. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the reference binary; retries on another port if the chosen one was taken meanwhile. */
export async function startReferenceServer(binary = findReferenceBinary()): Promise<ReferenceServer> {
  if (binary === undefined) throw new Error(referenceSkipLine('reference server'));
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce(binary, await freePort());
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

async function startOnce(binary: string, port: number): Promise<ReferenceServer> {
  const directory = mkdtempSync(join(tmpdir(), 'sandproc-reference-'));
  // The shell our server resolves (start.sh would take /bin/bash): both run a command in the same shell.
  const shell = resolveShell();
  const child = spawn(binary, ['-host', '127.0.0.1', '-port', String(port), '-disable-telemetry'], {
    cwd: directory,
    env: {
      ...process.env,
      SANDBOX_LOG_DIR: join(directory, 'logs'),
      SANDBOX_STATE_FILE: join(directory, 'process-state.json'),
      SANDBOX_PROXY_STATE_FILE: join(directory, 'proxy-state.json'),
      TELEMETRY_ENABLED: 'false',
      SHELL: shell,
      SHELL_ARGS: '-c',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const cleanup = (): void => rmSync(directory, { recursive: true, force: true });
  try {
    await waitUntilHealthy(url, child);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    cleanup();
    throw new Error(`reference server did not start on port ${port}: ${(error as Error).message}\n${stderr}`);
  }
  let stopping: Promise<void> | undefined;
  return {
    url,
    pid: child.pid ?? 0,
    directory,
    stop: () => {
      stopping ??= stopServer(url, child, exited).finally(cleanup);
      return stopping;
    },
  };
}

async function waitUntilHealthy(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error('it exited');
    const healthy = await fetch(`${url}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return;
    if (Date.now() > deadline) throw new Error(`no 200 on /health within ${READY_TIMEOUT_MS} ms`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/**
 * Its children run in their own process groups and outlive it: SIGKILL the groups of the processes
 * it still reports running (only those: a finished process's pid may belong to someone else now).
 */
async function stopServer(url: string, child: ChildProcess, exited: Promise<void>): Promise<void> {
  const listed = await fetch(`${url}/process`).then(
    (response) => response.json() as Promise<Array<{ pid: string; status: string }>>,
    () => [],
  );
  for (const entry of listed) {
    if (entry.status !== 'running') continue;
    const pid = Number(entry.pid);
    if (Number.isSafeInteger(pid) && pid > 1) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* the group is gone */
      }
    }
  }
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolvePort(port));
    });
  });
}
