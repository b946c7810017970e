/**
 * Turns the wire shape of a process (PROTOCOL.md §2, every variant the real and the local server
 * send) into the normalized {@link ProcessInfo} users see.
 */
import type { ProcessInfo, ProcessStatus } from '../types.js';

/** A process as it arrives on the wire: fields may be missing; dates and output may be `null` or `""`. */
export interface WireProcess {
  pid?: string | number;
  name?: string;
  command?: string;
  workingDir?: string;
  status?: string;
  exitCode?: number;
  startedAt?: string | null;
  completedAt?: string | null;
  stdout?: string | null;
  stderr?: string | null;
  logs?: string | null;
  restartOnFailure?: boolean;
  maxRestarts?: number;
  restartCount?: number;
  keepAlive?: boolean;
}

function toDate(value: string | null | undefined): Date | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(+date) ? null : date;
}

/** Normalizes one wire process: `pid` a string, dates as `Date` (`""`/`null` → `null`), defaults for missing fields. */
export function normalizeProcess(wire: WireProcess): ProcessInfo {
  return {
    name: '',
    command: '',
    workingDir: '',
    status: 'running',
    exitCode: 0,
    stdout: null,
    stderr: null,
    logs: null,
    restartOnFailure: false,
    maxRestarts: 0,
    restartCount: 0,
    keepAlive: false,
    ...wire,
    pid: String(wire.pid ?? ''),
    startedAt: toDate(wire.startedAt),
    completedAt: toDate(wire.completedAt),
  } as ProcessInfo;
}

/**
 * A process as a server answered it: {@link normalizeProcess}, but a body without a `pid` (not a
 * process: another server's JSON) throws, so that the transport reports the answer as not the API's.
 */
export function readProcess(wire: WireProcess): ProcessInfo {
  if (!/^\d+$/.test(String(wire.pid))) throw new TypeError('not a process');
  return normalizeProcess(wire);
}

/** True for every status after which the process does not run any more (unless restarted on failure). */
export function isTerminalStatus(status: ProcessStatus): boolean {
  return status !== 'running';
}

/**
 * True when the process is over for good: not running, and not a `failed` process that still has a
 * restart budget left (`restartOnFailure` with `maxRestarts` negative or above `restartCount`).
 */
export function isProcessFinished(process: ProcessInfo): boolean {
  if (process.status === 'running') return false;
  if (process.status !== 'failed' || !process.restartOnFailure) return true;
  return process.maxRestarts >= 0 && process.restartCount >= process.maxRestarts;
}
