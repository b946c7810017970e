import { connect } from 'node:net';
import type { ManagedProcess } from './managed-process.js';

const PROBE_INTERVAL_MS = 100;
const PROBE_HOSTS = ['127.0.0.1', '::1'];

/** Why a wait ended: the condition holds, the process finished first, or the caller gave up. */
export type WaitOutcome = 'ready' | 'finished' | 'aborted';

/**
 * Resolves `'ready'` once every port accepts TCP connections on a loopback address; `'finished'`
 * if the process ends first, unless `giveUpWhenFinished` is false (the real server's way: it waits
 * on until `signal`, its timeout).
 */
export async function waitForPorts(
  ports: number[],
  managed: ManagedProcess,
  signal: AbortSignal,
  giveUpWhenFinished = true,
): Promise<WaitOutcome> {
  const remaining = new Set(ports);
  while (remaining.size > 0) {
    if (signal.aborted) return 'aborted';
    for (const port of [...remaining]) {
      if (await portAccepts(port)) remaining.delete(port);
    }
    if (remaining.size === 0) break;
    if (giveUpWhenFinished && managed.finished) return 'finished';
    await delay(PROBE_INTERVAL_MS, signal);
  }
  return 'ready';
}

async function portAccepts(port: number): Promise<boolean> {
  for (const host of PROBE_HOSTS) {
    if (await probe(host, port)) return true;
  }
  return false;
}

function probe(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (accepted: boolean): void => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function delay(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, milliseconds);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Resolves `'finished'` when the process reaches its final status, `'aborted'` if `signal` fires first. */
export function waitForExit(managed: ManagedProcess, signal: AbortSignal): Promise<WaitOutcome> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve('aborted');
    const onAbort = (): void => {
      unsubscribe();
      resolve('aborted');
    };
    const unsubscribe = managed.onFinished(() => {
      signal.removeEventListener('abort', onAbort);
      resolve('finished');
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
