/**
 * `exec`: start a process, optionally follow its output and wait for it, and recover from a broken
 * connection without ever starting a second process.
 */
import { isNotFoundError, UnprocessableError, type HttpError } from '../errors/http-errors.js';
import { isRetryable } from '../errors/is-retryable.js';
import { ExecOutcomeUnknownError, StreamError } from '../errors/transport-errors.js';
import type { LogStream } from '../streams/log-stream.js';
import type { LogStreamOptions, ReconnectOptions } from '../streams/log-stream-options.js';
import type { ExecRequest, LogRecord, ProcessInfo } from '../types.js';
import type { CallOptions } from './client-options.js';
import { checkExecTimeout } from './exec-timeout.js';
import { readProcess, type WireProcess } from '../shared/normalize-process.js';
import { processPath } from './process-path.js';
import { isConnectionRefused, type Transport } from './transport.js';

/** Options of `client.process.exec`. */
export interface ExecOptions extends CallOptions {
  /** Called with each line of stdout (without its newline), exactly once. */
  onStdout?(text: string): void;
  /** Called with each line of stderr (without its newline), exactly once. */
  onStderr?(text: string): void;
  /** Called with each line of either stream, as a record with its index, exactly once. */
  onLog?(record: LogRecord): void;
  /** Without `waitForCompletion`, output is followed in the background: this receives its fatal error (not an abort by `signal`). */
  onError?(error: unknown): void;
  /** Silence on the followed log stream after which the connection is reopened, in milliseconds. Default `65000`. */
  keepaliveTimeoutMs?: number | undefined;
  /** Reconnect policy of the followed log stream (see `streamLogs`). Default `{}`. */
  reconnect?: ReconnectOptions | false | undefined;
}

/**
 * What `exec` uses of the process API to follow a started process: its log stream and the final
 * read. `ProcessApi` passes itself (it composes `exec`; `exec` does not import it).
 */
export interface ExecFollower {
  streamLogs(process: ProcessInfo, options: LogStreamOptions): LogStream;
  wait(process: ProcessInfo, options: CallOptions): Promise<ProcessInfo>;
}

/** A name in the server's default format, `proc-` + 8 characters of `[a-z0-9]`. */
export function generateProcessName(): string {
  return 'proc-' + Math.random().toString(36).slice(2, 10).padEnd(8, '0');
}

/**
 * Starts the process. `waitForCompletion` without output callbacks lets the server hold the answer
 * (one request); if a proxy cuts it (the Blaxel edge answers 504 after ~60 s) or the connection
 * fails, the process is looked up by name and followed to its end. With output callbacks, the
 * process is followed with the log stream, which resumes exactly once across dropped connections and
 * ends when the process is over. The same path works against servers with and without the
 * streaming extensions.
 */
export async function execProcess(
  api: ExecFollower,
  transport: Transport,
  request: ExecRequest,
  options: ExecOptions,
): Promise<ProcessInfo> {
  checkExecTimeout(request.timeout);
  const { signal, onStdout, onStderr, onLog } = options;
  const following = onStdout || onStderr || onLog;
  const name = request.name ?? generateProcessName();
  // Without output callbacks, let the server hold the answer until the end (one request); with
  // them, start at once and follow the output. A held answer cut by a proxy is recovered below.
  const held = !following && request.waitForCompletion;
  const sentAt = Date.now();
  let process: ProcessInfo;
  try {
    // A held answer (waitForCompletion, waitForPorts) is bounded by the request's `timeout`, not requestTimeoutMs.
    const post = { method: 'post', json: { ...request, name, waitForCompletion: held }, signal, retry: 0 } as const;
    process = await transport.json(
      'process',
      held || request.waitForPorts ? { ...post, timeout: false } : post,
      readProcess,
    );
    if (held) return process;
  } catch (error) {
    // Not retried blindly (a second process). After a failure that a retry could pass (see
    // `isRetryable`; not a definite answer, not an abort), the request may have reached the
    // server: ask for the process by its name. A refused connection sent nothing: that NetworkError says so.
    if (signal?.aborted || !isRetryable(error) || isConnectionRefused(error)) throw error;
    let found: ProcessInfo | undefined;
    try {
      let serverNow = Number.NaN; // the lookup's `Date`: NaN when absent
      found = await transport.json(processPath(name), { signal }, (wire: WireProcess, response) => {
        serverNow = Date.parse(response.headers.get('date') ?? '');
        return readProcess(wire);
      });
      // Only the request's own process: the same command (and working directory where both are
      // known); for a name the caller chose (it may be reused), started after the request was
      // sent, on the server's clock: the lookup's `Date` minus the time this client has waited
      // since, with 2 s of slack for the whole-second dates. No `Date` (a browser cannot read it
      // cross-origin unless exposed) or no `startedAt`: no proof.
      if (
        found.command !== request.command ||
        (request.workingDir && found.workingDir && found.workingDir !== request.workingDir) ||
        (request.name && !(Number(found.startedAt) >= serverNow - (Date.now() - sentAt) - 2000))
      ) {
        found = undefined;
      }
    } catch (lookupError) {
      // 404 after a 5xx answer: nothing started. After a request timeout or a network error it is
      // no proof: the request may have been sent and still be on its way, or be handled right now.
      if (signal?.aborted) throw lookupError;
      if (isNotFoundError(lookupError) && (error as HttpError).status) throw error;
    }
    if (!found)
      throw new ExecOutcomeUnknownError({
        processName: name,
        message: `${name} may have started: ${(error as Error).message}`,
        cause: error,
      });
    process = found;
  }
  if (!request.waitForCompletion && !following) return process;
  // `signal`, `keepaliveTimeoutMs` and `reconnect` are the stream's own options. The stream and the
  // final read follow this process by its pid (its name may be reused meanwhile).
  const stream = api.streamLogs(process, {
    ...options,
    onRecord: (record) => {
      onLog?.(record);
      (record.stream === 'stdout' ? onStdout : onStderr)?.(record.text);
    },
  });
  if (!request.waitForCompletion) {
    stream.done.catch((error: unknown) => signal?.aborted || options.onError?.(error));
    return process;
  }
  // The server's meaning of `timeout` with waitForCompletion: 422, the process keeps running.
  let timedOut = false;
  const timer = request.timeout
    ? setTimeout(
        () => {
          timedOut = true;
          stream.close();
        },
        sentAt + request.timeout * 1000 - Date.now(),
      )
    : undefined;
  try {
    await stream.done;
    if (!timedOut) return await api.wait(process, { signal });
  } catch (cause) {
    // The process did start: a caller must not take this for a failed start and run it again.
    if (signal?.aborted) throw cause;
    throw new StreamError({
      processId: process.pid,
      message: `${process.pid} started, then failed to follow`,
      cause,
      process,
    });
  } finally {
    clearTimeout(timer);
  }
  const message = `process timed out after ${request.timeout} seconds`;
  throw new UnprocessableError({ status: 422, body: message, message, processId: name });
}
