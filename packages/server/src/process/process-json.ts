import type { ManagedProcess } from './managed-process.js';
import type { OutputLog, OutputStream } from './output-log.js';
import type { ProcessJson } from './process-status.js';

/** Inline output in a Process object: the last 64 KiB (UTF-8 bytes) of each stream. */
export const INLINE_OUTPUT_BYTES = 64 * 1024;
/** Strict mode: the most of each stream the real server puts in a waited POST answer and in `/logs`, in bytes (4 MiB). */
export const STRICT_RESPONSE_OUTPUT_BYTES = 4 * 1024 * 1024;
/** What the real server puts before a stream it cut to fit an answer. */
export const TRUNCATION_MARKER = '[... truncated, see the process log file for the full output ...]\n';

/**
 * The last `maxBytes` of one stream; in strict mode, after {@link TRUNCATION_MARKER} when it was
 * cut, as the real server does.
 */
export function inlineOutput(output: OutputLog, stream: OutputStream, maxBytes: number, strict: boolean): string {
  if (!strict) return output.streamText(stream, maxBytes);
  // Four bytes more than the bound tell whether there is more than the bound (a character has at most four).
  const probe = output.streamText(stream, maxBytes + 4);
  return Buffer.byteLength(probe) > maxBytes ? TRUNCATION_MARKER + output.streamText(stream, maxBytes) : probe;
}

/**
 * Where the Process object is shown: `completedAt` is `""` while running in one, `null` in a list;
 * `started` is the answer of a `POST /process` that did not wait for completion, whose `logs` is
 * `null` until the process has written something (the real server's in-memory fields); `waited`
 * is the answer of one that waited, which strict mode fills with up to 4 MiB of each stream.
 */
export type ProcessView = 'one' | 'list' | 'started' | 'waited';

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
  const inlineBytes = strict && view === 'waited' ? STRICT_RESPONSE_OUTPUT_BYTES : INLINE_OUTPUT_BYTES;
  const stdout = inlineOutput(process.output, 'stdout', inlineBytes, strict);
  const stderr = inlineOutput(process.output, 'stderr', inlineBytes, strict);
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

