/**
 * `client.process`: one method per endpoint of the sandbox process API, plus `wait` and
 * `streamLogs` built on them (`waitForLog` is a separate function, so bundles that do not use it
 * do not carry it).
 */
import { isNotFoundError } from '../errors/http-errors.js';
import { LogStream } from '../streams/log-stream.js';
import type { LogStreamOptions } from '../streams/log-stream-options.js';
import type { ExecRequest, ProcessInfo } from '../types.js';
import type { CallOptions } from './client-options.js';
import { execProcess, type ExecOptions } from './exec.js';
import { readProcess, type WireProcess } from '../shared/normalize-process.js';
import { ProcessPin } from './process-pin.js';
import { processPath as path } from './process-path.js';
import type { Transport } from './transport.js';
import { waitForProcess, type WaitOptions } from './wait.js';

/** Options of `kill`. */
export interface KillOptions extends CallOptions {
  /**
   * The POSIX signal to send to the process group, e.g. `'SIGINT'`. Default `'SIGKILL'`. An
   * extension of the local server: a real Blaxel sandbox ignores it and sends SIGKILL.
   */
  killSignal?: string | undefined;
}

/** Options of `logs`. */
export interface LogsOptions extends CallOptions {
  /** Which output to return. Default `'all'` (both streams; interleaved on the local server, stdout then stderr on Blaxel). */
  stream?: 'stdout' | 'stderr' | 'all' | undefined;
}

/** The process API of one sandbox. Obtain it as `createClient(...).process`. */
export class ProcessApi {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Starts a process (`POST /process`). With `waitForCompletion` it resolves with the final process
   * (a non-zero exit is not an error: check `status`/`exitCode`), following the streamed output so
   * that proxies that cut held responses (Blaxel's edge, ~60 s) do not fail it. With output
   * callbacks, output is delivered line by line (in the background when not waiting). Never retried
   * blindly: after a broken connection it looks the process up by name (one is generated if none
   * is given) and throws `ExecOutcomeUnknownError` if it cannot tell whether the process started.
   * @throws BadRequestError (400), UnprocessableError (422: start failed, or `timeout` passed), UnauthorizedError, NetworkError.
   */
  exec(request: ExecRequest, options: ExecOptions = {}): Promise<ProcessInfo> {
    return execProcess(this, this.#transport, request, options);
  }

  /**
   * `GET /process/{id}` by pid or name. Where the server sends an `ETag`, a poll of a process that
   * did not change is answered `304` and resolves with the same object as before. @throws NotFoundError
   */
  async get(id: string, options: CallOptions = {}): Promise<ProcessInfo> {
    return this.#transport.fresh(path(id), options.signal, readProcess);
  }

  /** `GET /process`: every process ever started, any status (the same array as before on a `304`, as `get`). */
  async list(options: CallOptions = {}): Promise<ProcessInfo[]> {
    return this.#transport.fresh('process', options.signal, (wire: WireProcess[]) => wire.map(readProcess));
  }

  /**
   * Stops a process gracefully (SIGTERM to its group) and resolves with its state right after. A
   * process that already finished resolves with its final state. @throws NotFoundError if unknown.
   */
  stop(id: string, options: CallOptions = {}): Promise<ProcessInfo> {
    return this.#end(id, '', undefined, options.signal);
  }

  /** Kills a process (SIGKILL, or `killSignal`) and resolves with its state; already finished → its final state. @throws NotFoundError if unknown. */
  kill(id: string, options: KillOptions = {}): Promise<ProcessInfo> {
    return this.#end(id, '/kill', options.killSignal ? { signal: options.killSignal } : undefined, options.signal);
  }

  async #end(id: string, suffix: string, json: unknown, signal: AbortSignal | undefined): Promise<ProcessInfo> {
    try {
      await this.#transport.discard(path(id, suffix), { method: 'delete', json, signal });
    } catch (error) {
      // The real server answers 404 for a process that is no longer running: report its final state.
      if (!isNotFoundError(error)) throw error;
    }
    return this.get(id, { signal });
  }

  /** `GET /process/{id}/logs`: the retained output as one string. @throws NotFoundError */
  async logs(id: string, options: LogsOptions = {}): Promise<string> {
    const logs = await this.#transport.json<Record<string, string | null>>(path(id, '/logs'), {
      signal: options.signal,
    });
    return logs[options.stream === 'stdout' || options.stream === 'stderr' ? options.stream : 'logs'] ?? '';
  }

  /**
   * Writes bytes (a string is UTF-8 encoded) to the stdin of a process started with `stdin: true`.
   * At most 8 MiB per call. Not retried. @throws NotFoundError; HttpError 409 (no stdin, closed, exited) or 413.
   */
  async writeStdin(id: string, data: string | Uint8Array, options: CallOptions = {}): Promise<void> {
    const headers = { 'content-type': 'application/octet-stream' };
    await this.#transport.discard(path(id, '/stdin'), {
      method: 'post',
      body: data as BodyInit,
      headers,
      signal: options.signal,
      retry: 0,
    });
  }

  /** Closes stdin (the process reads end-of-file); idempotent. @throws NotFoundError */
  async closeStdin(id: string, options: CallOptions = {}): Promise<void> {
    await this.#transport.discard(path(id, '/stdin'), { method: 'delete', signal: options.signal });
  }

  /**
   * Polls until the process is over (not running, no restart pending) and resolves with its final
   * state; at once if it already is. A failing poll rejects (reads are retried first). The process is
   * pinned on first contact (see `streamLogs`): a name reused meanwhile is not waited for.
   * @throws WaitTimeoutError after `maxWaitMs` (the process keeps running); NotFoundError (also when it is gone).
   */
  wait(process: string | ProcessInfo, options: WaitOptions = {}): Promise<ProcessInfo> {
    return waitForProcess(this.#pin(process), options);
  }

  /**
   * Follows the output of a process, exactly once across reconnects (see {@link LogStream}). The
   * process is pinned on first contact: a name is looked up once and its pid used from then on (a
   * process given, e.g. `exec`'s answer, is pinned as it is), so a name reused meanwhile never feeds
   * the stream another process's lines. Before a connection's first line is read, the process given
   * is read to check that its pid still names it, and on a server that replays output kept by name
   * (no `X-Log-Offset`), every connection checks that a process that is over still has its name.
   * @throws NotFoundError (in `done` and the iterator) when the process is gone, its pid now names
   * another process, or it is over and the server keeps output by a name that now names another one.
   */
  streamLogs(process: string | ProcessInfo, options: LogStreamOptions = {}): LogStream {
    const transport = this.#transport;
    const pin = this.#pin(process);
    let known: ProcessInfo | undefined;
    return new LogStream(
      {
        processId: pin.id,
        open: async (since, signal) => {
          const pid = await pin.pid(signal);
          // What was known as the connection was sent (the checks below read the process again).
          known = pin.known;
          // A process given is not read yet: its pid may name another process now (read while the
          // connection opens: the two round trips overlap).
          const read = known === process ? pin.read(signal) : undefined;
          read?.catch(() => {});
          const response = await transport.send(path(pid, since > 0 ? `/logs/stream?since=${since}` : '/logs/stream'), {
            signal,
            retry: 0,
          });
          try {
            const current = await read;
            // A server that replays from the start (no `X-Log-Offset`) replays by a name that may be
            // reused once the process is over: checked once the connection is open.
            if (!response.headers.has('x-log-offset')) await pin.check(since, signal, current);
          } catch (error) {
            void response.body?.cancel();
            throw error;
          }
          return response;
        },
        get: (signal) => pin.read(signal),
        known: () => known,
      },
      options,
    );
  }

  #pin(process: string | ProcessInfo): ProcessPin {
    return new ProcessPin((id, options) => this.get(id, options), process);
  }
}
