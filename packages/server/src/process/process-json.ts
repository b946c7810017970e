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
 * Inline output per field in `GET /process` list answers in extended mode: the last 2 KiB, so
 * that a list of many processes stays small (strict mode keeps {@link INLINE_OUTPUT_BYTES}).
 */
export const LIST_INLINE_OUTPUT_BYTES = 2 * 1024;

/**
 * The last `maxBytes` of one stream; in strict mode, after {@link TRUNCATION_MARKER} when it was
 * cut, as the real server does.
 */
export function inlineOutput(output: OutputLog, stream: OutputStream, maxBytes: number, strict: boolean): string {
  if (!strict) return output.streamText(stream, maxBytes);
  return output.readSession(() => {
    // Four bytes more than the bound tell whether there is more than the bound (a character has at most four).
    const probe = output.streamText(stream, maxBytes + 4);
    return Buffer.byteLength(probe) > maxBytes ? TRUNCATION_MARKER + output.streamText(stream, maxBytes) : probe;
  });
}

/**
 * Where the Process object is shown: `completedAt` is `""` while running in one, `null` in a list;
 * `started` is the answer of a `POST /process` that did not wait for completion: the process as
 * it started, with no output yet (`stdout`/`stderr` `""`, `logs` `null`), as the real server
 * answers right after the start (ours answers once the command's launcher is ready, when a quick
 * command may have written already: showing that would make the answer depend on timing); `waited`
 * is the answer of one that waited, which strict mode fills with up to 4 MiB of each stream.
 */
export type ProcessView = 'one' | 'list' | 'started' | 'waited';

/**
 * Builds the Process object of PROTOCOL.md §2. `strict`: `logs` is stdout then stderr, lists keep
 * the full inline size, and a process waiting for its restart shows as the real server shows it
 * (`failed`, see {@link ManagedProcess.pendingRestart}).
 */
export function toProcessJson(process: ManagedProcess, view: ProcessView, strict: boolean): ProcessJson {
  const pending = strict ? process.pendingRestart : undefined;
  const running = process.status === 'running' && pending === undefined;
  const completedAt = pending?.failedAt ?? process.completedAt;
  const inlineBytes = strict
    ? view === 'waited'
      ? STRICT_RESPONSE_OUTPUT_BYTES
      : INLINE_OUTPUT_BYTES
    : view === 'list'
      ? LIST_INLINE_OUTPUT_BYTES
      : INLINE_OUTPUT_BYTES;
  const { stdout, stderr, logs } =
    view === 'started'
      ? { stdout: '', stderr: '', logs: '' }
      : process.output.readSession(() => {
          const stdoutTail = inlineOutput(process.output, 'stdout', inlineBytes, strict);
          const stderrTail = inlineOutput(process.output, 'stderr', inlineBytes, strict);
          return {
            stdout: stdoutTail,
            stderr: stderrTail,
            logs: strict ? stdoutTail + stderrTail : process.output.combinedText(inlineBytes),
          };
        });
  return {
    pid: String(process.pid),
    name: process.name,
    command: process.command,
    status: pending ? 'failed' : process.status,
    startedAt: process.startedAt.toUTCString(),
    completedAt: running || completedAt === undefined ? (view === 'list' ? null : '') : completedAt.toUTCString(),
    exitCode: pending ? pending.exitCode : running ? 0 : process.exitCode,
    workingDir: process.workingDir,
    logs: view === 'started' ? null : logs,
    stdout,
    stderr,
    restartOnFailure: process.restartOnFailure,
    maxRestarts: process.maxRestarts,
    restartCount: pending ? process.restartCount + 1 : process.restartCount,
    keepAlive: process.keepAlive,
  };
}
