import type { ManagedProcess } from './managed-process.js';
import type { ProcessJson } from './process-status.js';

/** Inline output in a Process object: the last 64 KiB (UTF-8 bytes) of each stream. */
export const INLINE_OUTPUT_BYTES = 64 * 1024;

/**
 * Where the Process object is shown: `completedAt` is `""` while running in one, `null` in a list;
 * `started` is the answer of a `POST /process` that did not wait for completion, whose `logs` is
 * `null` until the process has written something (the real server's in-memory fields).
 */
export type ProcessView = 'one' | 'list' | 'started';

/**
 * Builds the Process object of PROTOCOL.md §2. `strict`: `logs` is stdout then stderr, and a
 * process waiting for its restart shows as the real server shows it (`failed`, see
 * {@link ManagedProcess.pendingRestart}).
 */
export function toProcessJson(process: ManagedProcess, view: ProcessView, strict: boolean): ProcessJson {
  const concatenateLogs = strict;
  const pending = strict ? process.pendingRestart : undefined;
  const running = process.status === 'running' && pending === undefined;
  const completedAt = pending?.failedAt ?? process.completedAt;
  const stdout = process.output.streamText('stdout', INLINE_OUTPUT_BYTES);
  const stderr = process.output.streamText('stderr', INLINE_OUTPUT_BYTES);
  const logs = concatenateLogs ? stdout + stderr : process.output.combinedText(INLINE_OUTPUT_BYTES);
  return {
    pid: String(process.pid),
    name: process.name,
    command: process.command,
    status: pending ? 'failed' : process.status,
    startedAt: process.startedAt.toUTCString(),
    completedAt: running || completedAt === undefined ? (view === 'list' ? null : '') : completedAt.toUTCString(),
    exitCode: pending ? pending.exitCode : running ? 0 : process.exitCode,
    workingDir: process.workingDir,
    logs: view === 'started' && logs === '' ? null : logs,
    stdout,
    stderr,
    restartOnFailure: process.restartOnFailure,
    maxRestarts: process.maxRestarts,
    restartCount: pending ? process.restartCount + 1 : process.restartCount,
    keepAlive: process.keepAlive,
  };
}

