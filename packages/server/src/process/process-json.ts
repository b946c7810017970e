import type { ManagedProcess } from './managed-process.js';
import type { ProcessJson } from './process-status.js';

/** Inline output in a Process object: the last 64 KiB (UTF-8 bytes) of each stream. */
export const INLINE_OUTPUT_BYTES = 64 * 1024;

/**
 * Inline output per field in `GET /process` list answers in extended mode: the last 2 KiB, so
 * that a list of many processes stays small (strict mode keeps {@link INLINE_OUTPUT_BYTES}).
 */
export const LIST_INLINE_OUTPUT_BYTES = 2 * 1024;

/** Where the Process object is shown: `completedAt` is `""` while running in one, `null` in a list. */
export type ProcessView = 'one' | 'list';

/**
 * Builds the Process object of PROTOCOL.md §2. `concatenateLogs` = strict mode `logs`, which also
 * keeps the full inline size in lists.
 */
export function toProcessJson(process: ManagedProcess, view: ProcessView, concatenateLogs: boolean): ProcessJson {
  const running = process.status === 'running';
  const completedAt = process.completedAt;
  const inlineBytes = view === 'list' && !concatenateLogs ? LIST_INLINE_OUTPUT_BYTES : INLINE_OUTPUT_BYTES;
  const { stdout, stderr, logs } = process.output.readSession(() => {
    const stdoutTail = process.output.streamText('stdout', inlineBytes);
    const stderrTail = process.output.streamText('stderr', inlineBytes);
    return {
      stdout: stdoutTail,
      stderr: stderrTail,
      logs: concatenateLogs ? stdoutTail + stderrTail : process.output.combinedText(inlineBytes),
    };
  });
  return {
    pid: String(process.pid),
    name: process.name,
    command: process.command,
    workingDir: process.workingDir,
    status: process.status,
    exitCode: running ? 0 : process.exitCode,
    startedAt: process.startedAt.toUTCString(),
    completedAt: running || completedAt === undefined ? (view === 'list' ? null : '') : completedAt.toUTCString(),
    stdout,
    stderr,
    logs,
    restartOnFailure: process.restartOnFailure,
    maxRestarts: process.maxRestarts,
    restartCount: process.restartCount,
    keepAlive: process.keepAlive,
  };
}

