/**
 * `exec`: start a process, optionally follow its output and wait for it, and recover from a broken
 * connection without ever starting a second process.
 */
import { isNotFoundError, UnprocessableError, type HttpError } from '../errors/http-errors.js';
import { ExecOutcomeUnknownError } from '../errors/transport-errors.js';
import { createKeepaliveWatchdog } from '../streams/keepalive-watchdog.js';
import { resultProcess, splitEventLines, type ExecStreamEvent } from '../streams/ndjson-events.js';
import { readLines } from '../streams/read-lines.js';
import type { ExecRequest, LogRecord, LogStreamName, ProcessInfo } from '../types.js';
import type { CallOptions } from './client-options.js';
import { normalizeProcess, type WireProcess } from './normalize-process.js';
import type { ProcessApi } from './process-api.js';
import type { Transport } from './transport.js';

/** Options of `client.process.exec`. */
export interface ExecOptions extends CallOptions {
  /** Called with each line of stdout (without its newline). */
  onStdout?(text: string): void;
  /** Called with each line of stderr (without its newline). */
  onStderr?(text: string): void;
  /** Called with each line of either stream, as a record with its index. */
  onLog?(record: LogRecord): void;
  /** Without `waitForCompletion`, output is followed in the background: this receives its fatal error. */
  onError?(error: unknown): void;
  /** Silence on the streamed exec after which the connection counts as dead, in milliseconds (keepalives come every 5 s). Default `20000`. */
  keepaliveTimeoutMs?: number;
}

/** A name in the server's default format, `proc-` + 8 characters of `[a-z0-9]`. */
export function generateProcessName(): string {
  return 'proc-' + (Math.random().toString(36).slice(2) + Date.now().toString(36)).slice(0, 8);
}

export async function execProcess(api: ProcessApi, transport: Transport, request: ExecRequest, options: ExecOptions): Promise<ProcessInfo> {
  const { signal } = options;
  const name = request.name ?? generateProcessName();
  const sentAt = Date.now();
  let count = 0;
  const emit = (stream: LogStreamName, text: string, index = count) => {
    count = index + 1;
    options.onLog?.({ stream, text, index });
    (stream === 'stdout' ? options.onStdout : options.onStderr)?.(text);
  };
  const following = !!(options.onLog || options.onStdout || options.onStderr);
  const streamLogs = (id: string, since?: number) =>
    api.streamLogs(id, { signal, since, onRecord: (record) => emit(record.stream, record.text, record.index) });

  /**
   * After a failure that leaves it open whether the request reached the server (network error,
   * timeout, 5xx from a proxy), asks for the process by name. A definite answer (4xx) or an abort
   * is rethrown as is.
   */
  const recover = async (error: unknown): Promise<ProcessInfo> => {
    if (signal?.aborted || (error as HttpError).status < 500) throw error;
    const found = await api.get(name, { signal }).catch((lookupError: unknown) => {
      if (isNotFoundError(lookupError)) throw error; // it did not start
    });
    // Unknown, or a process of that name that started well before the request (maybe an older one).
    if (!found || (request.name !== undefined && (found.startedAt?.getTime() ?? 0) < sentAt - 30_000)) {
      throw new ExecOutcomeUnknownError(name, `exec of ${name} failed; it may be running`, { cause: error });
    }
    return found;
  };

  /** Follows a started process to its end, by its log stream and polling (no response held long). */
  const follow = async (id: string): Promise<ProcessInfo> => {
    if (following) {
      await streamLogs(id, count).done;
    }
    // The server's `timeout` bound, kept when following: WaitTimeoutError once it passed.
    const timeoutMs = (request.timeout ?? 0) * 1000;
    return api.wait(id, { signal, maxWaitMs: timeoutMs > 0 ? sentAt + timeoutMs - Date.now() : Infinity });
  };

  const body = { ...request, name };
  if (!request.waitForCompletion) {
    let process: ProcessInfo;
    try {
      // waitForPorts holds the answer on purpose (bounded by the request's `timeout`).
      const options = { method: 'post', json: body, signal, retry: 0 } as const;
      process = normalizeProcess(await transport.json<WireProcess>('process', request.waitForPorts ? { ...options, timeout: false } : options));
    } catch (error) {
      process = await recover(error);
    }
    if (following) {
      streamLogs(process.pid).done.catch((error: unknown) => options.onError?.(error));
    }
    return process;
  }

  // The streamed exec (NDJSON with keepalives) rather than a held JSON answer, which proxies cut.
  const connection = new AbortController();
  const connectionSignal = signal ? AbortSignal.any([signal, connection.signal]) : connection.signal;
  const watchdog = createKeepaliveWatchdog(options.keepaliveTimeoutMs ?? 20_000, () => connection.abort());
  let response: Response;
  try {
    response = await transport.send('process', { method: 'post', json: body, headers: { accept: 'text/event-stream' }, signal: connectionSignal, retry: 0 });
  } catch (error) {
    signal?.throwIfAborted();
    return follow((await recover(error)).pid);
  }
  let result: WireProcess | undefined;
  let timedOut: string | undefined;
  try {
    watchdog.touch();
    for await (const line of readLines(response.body ?? new ReadableStream(), () => watchdog.touch())) {
      let event: ExecStreamEvent;
      try {
        event = JSON.parse(line) as ExecStreamEvent;
        if (event.type === 'result') result = resultProcess(event);
      } catch {
        continue; // a malformed (cut) line: the outcome is learned by following below
      }
      const { type, data } = event;
      if (type === 'stdout' || type === 'stderr') for (const text of splitEventLines(data)) emit(type, text);
      if (type === 'error' && /timed out/i.test(String(data))) timedOut = String(data);
    }
  } catch {
    // connection lost or watchdog fired: follow below
  } finally {
    watchdog.stop();
  }
  signal?.throwIfAborted();
  if (timedOut !== undefined) throw new UnprocessableError(422, timedOut, timedOut, name);
  if (result) return normalizeProcess(result);
  return follow(name);
}
