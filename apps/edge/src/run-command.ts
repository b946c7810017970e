/** Runs one command in the sandbox: to completion (JSON) or streamed (NDJSON). */
import { isWaitTimeoutError, type ProcessInfo } from '@sandproc/core';
import type { SandboxClient } from './sandbox-client.js';
import { describeUpstreamError, jsonResponse } from './responses.js';

/**
 * How long the JSON mode waits for the command, in milliseconds. Edge platforms cut requests
 * held much longer (Blaxel's edge at ~60 s); longer commands should use the streamed mode.
 */
export const MAX_WAIT_MS = 50_000;

/** The JSON answer for a finished command. */
export interface CommandResult {
  pid: string;
  name: string;
  status: ProcessInfo['status'];
  exitCode: number;
  stdout: string;
  stderr: string;
  logs: string;
}

/** One NDJSON line of the streamed mode. */
export type StreamLine =
  | { stream: 'stdout' | 'stderr'; text: string; index: number }
  | { type: 'exit'; pid: string; status: ProcessInfo['status']; exitCode: number }
  | { type: 'error'; error: string; kind?: string }
  | { type: 'keepalive' };

/** Period of `{"type": "keepalive"}` lines in the streamed mode, in milliseconds. */
export const KEEPALIVE_INTERVAL_MS = 15_000;

/** Options of {@link runToCompletion} and {@link streamRun}. */
export interface RunOptions {
  /** Cancels the sandbox requests (the incoming request's signal). */
  signal?: AbortSignal;
  /** How long the JSON mode waits for the command, in milliseconds. Default {@link MAX_WAIT_MS}. */
  maxWaitMs?: number;
  /**
   * Period of `{"type": "keepalive"}` lines in the streamed mode, in milliseconds. Default
   * {@link KEEPALIVE_INTERVAL_MS}. Workers notice a client that went away only when they write:
   * these lines bound how long an abandoned command runs on while it prints nothing.
   */
  keepaliveIntervalMs?: number;
  /**
   * Keeps background work alive after the response is sent: the Worker's `ctx.waitUntil`. Used to
   * kill a process the function gives up on; without it the kill is still sent, best effort.
   */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/**
 * Kills a process the function started and no longer follows (JSON wait timed out, streaming
 * client gone, sandbox failure mid-stream), so it does not run on with nobody watching. Best
 * effort: a failure is ignored (the process may have ended meanwhile). Not tied to the request's
 * signal, which may already be aborted.
 */
export function killAbandoned(
  client: SandboxClient,
  pid: string,
  waitUntil?: (promise: Promise<unknown>) => void,
): Promise<void> {
  const killing = client.process.kill(pid).then(
    () => undefined,
    () => undefined,
  );
  waitUntil?.(killing);
  return killing;
}

export async function runToCompletion(
  client: SandboxClient,
  command: string,
  options: RunOptions = {},
): Promise<Response> {
  const { signal, maxWaitMs = MAX_WAIT_MS, waitUntil } = options;
  const started = await client.process.exec({ command }, { signal });
  let finished: ProcessInfo;
  try {
    finished = await client.process.wait(started.pid, { maxWaitMs, signal });
  } catch (error) {
    // Nobody will collect the result: stop the command instead of letting it run on.
    void killAbandoned(client, started.pid, waitUntil);
    if (isWaitTimeoutError(error)) {
      return jsonResponse(504, {
        error: `command did not finish within ${maxWaitMs / 1000} s and was killed; use ?stream=1 for long commands`,
        pid: started.pid,
      });
    }
    throw error;
  }
  const [stdout, stderr, logs] = await Promise.all([
    finished.stdout ?? client.process.logs(started.pid, { stream: 'stdout', signal }),
    finished.stderr ?? client.process.logs(started.pid, { stream: 'stderr', signal }),
    finished.logs ?? client.process.logs(started.pid, { stream: 'all', signal }),
  ]);
  const result: CommandResult = {
    pid: finished.pid,
    name: finished.name,
    status: finished.status,
    exitCode: finished.exitCode,
    stdout,
    stderr,
    logs,
  };
  return jsonResponse(200, result);
}

const encoder = new TextEncoder();

function encodeLine(line: StreamLine): Uint8Array {
  return encoder.encode(`${JSON.stringify(line)}\n`);
}

/**
 * Starts the command, then streams its output lines as they arrive and a final `exit` line.
 * Failures before the first byte throw (the caller answers 502); failures after it end the
 * stream with an `error` line and kill the process. A client that disconnects or cancels the
 * body before the exit line gets the process killed too.
 */
export async function streamRun(client: SandboxClient, command: string, options: RunOptions = {}): Promise<Response> {
  const { signal, maxWaitMs = MAX_WAIT_MS, keepaliveIntervalMs = KEEPALIVE_INTERVAL_MS, waitUntil } = options;
  const started = await client.process.exec({ command }, { signal });
  const logStream = client.process.streamLogs(started.pid, { signal });
  const records = logStream[Symbol.asyncIterator]();
  let ended = false;
  let keepalive: ReturnType<typeof setInterval> | undefined;

  const end = (): void => {
    ended = true;
    clearInterval(keepalive);
    signal?.removeEventListener('abort', abandon);
  };
  // The process is no longer followed (client gone, or the sandbox failed mid-stream): stop it
  // rather than let it run on with nobody watching. Idempotent.
  const abandon = (): void => {
    if (ended) return;
    end();
    void killAbandoned(client, started.pid, waitUntil);
    logStream.close();
  };
  // A client that disconnects aborts the request's signal (workerd: with the
  // `enable_request_signal` compatibility flag) at the next write, which the keepalive lines
  // guarantee while the command prints nothing; `cancel` covers runtimes that cancel the body.
  signal?.addEventListener('abort', abandon, { once: true });

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      keepalive = setInterval(() => {
        try {
          controller.enqueue(encodeLine({ type: 'keepalive' }));
        } catch {
          // Closed or cancelled meanwhile.
        }
      }, keepaliveIntervalMs);
    },
    async pull(controller) {
      if (ended) return;
      let last: StreamLine;
      try {
        const next = await records.next();
        if (!next.done) {
          const { stream, text, index } = next.value;
          controller.enqueue(encodeLine({ stream, text, index }));
          return;
        }
        await logStream.done;
        const finished = await client.process.wait(started.pid, { maxWaitMs, signal });
        end();
        last = { type: 'exit', pid: finished.pid, status: finished.status, exitCode: finished.exitCode };
      } catch (error) {
        abandon();
        last = { type: 'error', ...describeUpstreamError(error) };
      }
      try {
        controller.enqueue(encodeLine(last));
        controller.close();
      } catch {
        // The body was cancelled meanwhile: nobody to tell.
      }
    },
    async cancel() {
      // The client cancelled the body (or went away) before the exit line.
      abandon();
      await records.return?.();
    },
  });

  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'application/x-ndjson; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Sandbox-Pid': started.pid,
    },
  });
}
