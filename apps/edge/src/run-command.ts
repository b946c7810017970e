/** Runs one command in the sandbox: to completion (JSON) or streamed (NDJSON). */
import { isWaitTimeoutError, type ProcessInfo } from '@sandproc/core';
import type { SandboxClient } from './sandbox-client.js';
import { describeUpstreamError, errorResponse, jsonResponse } from './responses.js';

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
  | { type: 'error'; error: string; kind?: string };

export async function runToCompletion(
  client: SandboxClient,
  command: string,
  signal?: AbortSignal,
): Promise<Response> {
  const started = await client.process.exec({ command }, { signal });
  let finished: ProcessInfo;
  try {
    finished = await client.process.wait(started.pid, { maxWaitMs: MAX_WAIT_MS, signal });
  } catch (error) {
    if (isWaitTimeoutError(error)) {
      return errorResponse(504, `command still running after ${MAX_WAIT_MS / 1000} s (pid ${started.pid}); use ?stream=1 for long commands`);
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
 * stream with an `error` line.
 */
export async function streamRun(client: SandboxClient, command: string, signal?: AbortSignal): Promise<Response> {
  const started = await client.process.exec({ command }, { signal });
  const logStream = client.process.streamLogs(started.pid, { signal });
  const records = logStream[Symbol.asyncIterator]();
  let ended = false;

  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (ended) return;
      try {
        const next = await records.next();
        if (!next.done) {
          const { stream, text, index } = next.value;
          controller.enqueue(encodeLine({ stream, text, index }));
          return;
        }
        await logStream.done;
        const finished = await client.process.wait(started.pid, { maxWaitMs: MAX_WAIT_MS, signal });
        controller.enqueue(
          encodeLine({ type: 'exit', pid: finished.pid, status: finished.status, exitCode: finished.exitCode }),
        );
      } catch (error) {
        controller.enqueue(encodeLine({ type: 'error', ...describeUpstreamError(error) }));
      }
      ended = true;
      controller.close();
    },
    async cancel() {
      ended = true;
      logStream.close();
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
