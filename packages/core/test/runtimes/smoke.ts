/**
 * The runtime smoke script: one scenario that uses only the public API of `@sandproc/core`
 * (the package barrel) and web-standard globals, so the very same bundle can run in Node,
 * Deno, Bun, workerd, the Vercel edge runtime and Chromium (see `runtimes.test.ts`).
 *
 * It throws a `SmokeMismatchError` on the first thing that is not as expected, and returns a
 * small JSON-safe report otherwise. It imports nothing from Node, and reads no globals
 * except `fetch`, `TextDecoder`, `AbortController` and friends through the core.
 */
import { createClient, isNotFoundError, isTerminalStatus, type LogRecord, type ProcessInfo } from '../../src/index.js';

export interface SmokeOptions {
  /** Base URL of a sandbox server, e.g. `http://127.0.0.1:8080`. */
  baseUrl: string;
  /** Bearer token of the server. */
  token?: string;
  /** Label reported back (which runtime ran the smoke). */
  runtime?: string;
  /** A base URL where nothing listens (connection refused): the first error a user sees is reported. */
  refusedUrl?: string;
}

export interface SmokeReport {
  runtime: string;
  exec: {
    pid: string;
    status: string;
    exitCode: number;
    stdoutLines: string[];
    stderrLines: string[];
    records: number;
  };
  streamLogs: { pid: string; records: number; stderrRecords: number; finalState: string };
  wait: { pid: string; status: string; exitCode: number };
  kill: { pid: string; status: string };
  notFound: boolean;
  /** `exec` against `refusedUrl`: the error's kind and message. */
  refused?: { kind: string; message: string };
}

/** Thrown when the smoke scenario sees something it did not expect. */
export class SmokeMismatchError extends Error {
  constructor(step: string, message: string) {
    super(`[smoke:${step}] ${message}`);
    this.name = 'SmokeMismatchError';
  }
}

const STREAMED_LINES = 40;
const MAX_WAIT_MS = 20_000;

function expectEqual(step: string, what: string, actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new SmokeMismatchError(step, `${what}: expected ${e}, got ${a}`);
}

function range(count: number, make: (n: number) => string): string[] {
  return Array.from({ length: count }, (_, i) => make(i + 1));
}

/** Runs the scenario against the server at `options.baseUrl`; throws on any mismatch. */
export async function runSmoke(options: SmokeOptions): Promise<SmokeReport> {
  const client = createClient({ baseUrl: options.baseUrl, token: options.token });

  // 1. exec with streamed output: onStdout/onStderr get each line (without its newline) and onLog
  //    each record, every one once and in order.
  const stdoutLines: string[] = [];
  const stderrLines: string[] = [];
  const records: LogRecord[] = [];
  const executed: ProcessInfo = await client.process.exec(
    { command: 'for i in 1 2 3; do echo out-$i; echo err-$i >&2; done', waitForCompletion: true, timeout: 30 },
    {
      onStdout: (text) => stdoutLines.push(text),
      onStderr: (text) => stderrLines.push(text),
      onLog: (record) => records.push(record),
    },
  );
  expectEqual('exec', 'status', executed.status, 'completed');
  expectEqual('exec', 'exitCode', executed.exitCode, 0);
  expectEqual('exec', 'onStdout lines', stdoutLines, ['out-1', 'out-2', 'out-3']);
  expectEqual('exec', 'onStderr lines', stderrLines, ['err-1', 'err-2', 'err-3']);
  expectEqual(
    'exec',
    'onLog stdout records',
    records.filter((record) => record.stream === 'stdout').map((record) => record.text),
    ['out-1', 'out-2', 'out-3'],
  );
  expectEqual(
    'exec',
    'onLog stderr records',
    records.filter((record) => record.stream === 'stderr').map((record) => record.text),
    ['err-1', 'err-2', 'err-3'],
  );

  // 2. streamLogs: a process that writes while we read; every line exactly once, in order.
  const streamed = await client.process.exec({
    command:
      `i=1; while [ $i -le ${STREAMED_LINES} ]; do echo line-$i; ` +
      `if [ $((i % 10)) -eq 0 ]; then echo tick-$i >&2; sleep 0.05; fi; i=$((i + 1)); done`,
  });
  const stream = client.process.streamLogs(streamed.pid);
  const received: LogRecord[] = [];
  for await (const record of stream) received.push(record);
  await stream.done;
  expectEqual(
    'streamLogs',
    'stdout lines',
    received.filter((record) => record.stream === 'stdout').map((record) => record.text),
    range(STREAMED_LINES, (n) => `line-${n}`),
  );
  expectEqual(
    'streamLogs',
    'stderr lines',
    received.filter((record) => record.stream === 'stderr').map((record) => record.text),
    range(STREAMED_LINES / 10, (n) => `tick-${n * 10}`),
  );
  expectEqual(
    'streamLogs',
    'indexes',
    received.map((record) => record.index),
    received.map((_, i) => i),
  );
  expectEqual('streamLogs', 'delivered', stream.delivered, received.length);

  // 3. wait: a process that is still running when we start waiting, and fails.
  const slow = await client.process.exec({ command: 'sleep 0.3; exit 3' });
  expectEqual('wait', 'status at start', slow.status, 'running');
  const waited = await client.process.wait(slow.pid, { maxWaitMs: MAX_WAIT_MS, intervalMs: 100 });
  expectEqual('wait', 'status', waited.status, 'failed');
  expectEqual('wait', 'exitCode', waited.exitCode, 3);
  expectEqual('wait', 'isTerminalStatus', isTerminalStatus(waited.status), true);

  // 4. kill: a long sleep ends 'killed'.
  const sleeper = await client.process.exec({ command: 'sleep 30' });
  expectEqual('kill', 'status at start', sleeper.status, 'running');
  await client.process.kill(sleeper.pid);
  const killed = await client.process.wait(sleeper.pid, { maxWaitMs: MAX_WAIT_MS, intervalMs: 100 });
  expectEqual('kill', 'status', killed.status, 'killed');

  // 5. Typed errors survive bundling: an unknown process is a NotFoundError.
  let notFound = false;
  try {
    await client.process.get('sandproc-smoke-no-such-process');
  } catch (error) {
    notFound = isNotFoundError(error);
    if (!notFound) throw error;
  }
  if (!notFound) throw new SmokeMismatchError('errors', 'get() of an unknown process did not throw');

  // 6. The first error a user sees when the server is not running.
  let refused: SmokeReport['refused'];
  if (options.refusedUrl) {
    const unreachable = createClient({ baseUrl: options.refusedUrl, retry: { initialDelayMs: 10 } });
    try {
      await unreachable.process.exec({ command: 'true' });
    } catch (error) {
      refused = { kind: (error as { kind: string }).kind, message: (error as Error).message };
    }
    if (!refused) throw new SmokeMismatchError('refused', 'exec against a closed port did not throw');
  }

  return {
    refused,
    runtime: options.runtime ?? 'unknown',
    exec: {
      pid: executed.pid,
      status: executed.status,
      exitCode: executed.exitCode,
      stdoutLines,
      stderrLines,
      records: records.length,
    },
    streamLogs: {
      pid: streamed.pid,
      records: received.length,
      stderrRecords: received.filter((record) => record.stream === 'stderr').length,
      finalState: stream.state,
    },
    wait: { pid: waited.pid, status: waited.status, exitCode: waited.exitCode },
    kill: { pid: killed.pid, status: killed.status },
    notFound,
  };
}
