/**
 * Waiting for a process: until it is over (`wait`), or until a line of its output matches (`waitForLog`).
 */
import { refuseArgument } from '../errors/invalid-argument-error.js';
import { StreamError } from '../errors/transport-errors.js';
import { WaitTimeoutError } from '../errors/wait-timeout-error.js';
import type { LogRecord, ProcessInfo } from '../types.js';
import type { CallOptions } from './client-options.js';
import { isProcessFinished } from '../shared/normalize-process.js';
import type { LogStream } from '../streams/log-stream.js';
import type { LogStreamOptions } from '../streams/log-stream-options.js';
import type { ProcessPin } from './process-pin.js';
import { anySignal } from '../shared/any-signal.js';
import { sleep } from '../shared/sleep.js';
import { LONGEST_TIMER_MS } from '../shared/timer-limit.js';

/** Options of `wait`. */
export interface WaitOptions extends CallOptions {
  /** Give up after this long, in milliseconds (`Infinity`: never). Default `60000`, as the Blaxel SDK. */
  maxWaitMs?: number | undefined;
  /** Pause between two polls, in milliseconds. Default `1000`. */
  intervalMs?: number | undefined;
}

/** Options of `waitForLog`. */
export interface WaitForLogOptions extends CallOptions {
  /** Give up after this long, in milliseconds (`Infinity`: never). Default `60000`. */
  maxWaitMs?: number | undefined;
}

/** What `waitForLog` uses of a client: its log streams (any `createClient(...)` has them). */
export interface LogStreamingClient {
  readonly process: { streamLogs(process: string | ProcessInfo, options?: LogStreamOptions): LogStream };
}

/**
 * `value` if it is a number of milliseconds ≥ 0 (`Infinity` included); else an InvalidArgumentError
 * (`NaN` would wait forever, and a string such as `'5000'` would make the deadline a string).
 */
function milliseconds(argument: string, value: number): number {
  if (typeof value === 'number' && value >= 0) return value;
  return refuseArgument(argument, 'a number of milliseconds ≥ 0', value);
}

/** `wait`: polls the pinned process until it is over. */
export async function waitForProcess(pin: ProcessPin, options: WaitOptions): Promise<ProcessInfo> {
  const { signal } = options;
  const maxWaitMs = milliseconds('maxWaitMs', options.maxWaitMs ?? 60_000);
  const intervalMs = milliseconds('intervalMs', options.intervalMs ?? 1000);
  const deadline = Date.now() + maxWaitMs;
  let process = await pin.read(signal);
  while (!isProcessFinished(process)) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new WaitTimeoutError({ processId: pin.id, process, maxWaitMs });
    // A pause past what setTimeout holds (`Infinity` included) would fire at once, a poll every
    // millisecond: it is the longest it holds.
    await sleep(Math.min(intervalMs, remaining, LONGEST_TIMER_MS), signal);
    process = await pin.read(signal);
  }
  return process;
}

/**
 * Resolves with the first record of a process's output whose text matches `pattern` (a string is
 * searched as a substring), e.g. `await waitForLog(client, pid, /listening on/)`.
 * @throws WaitTimeoutError after `maxWaitMs`; StreamError if the output ended without a match.
 */
export async function waitForLog(
  client: LogStreamingClient,
  process: string | ProcessInfo,
  pattern: string | RegExp,
  options: WaitForLogOptions = {},
): Promise<LogRecord> {
  const { signal } = options;
  const maxWaitMs = milliseconds('maxWaitMs', options.maxWaitMs ?? 60_000);
  const api = client.process;
  const id = typeof process === 'string' ? process : process.pid;
  const deadline = new AbortController();
  // A non-finite bound (`Infinity`) sets no timer at all (setTimeout would clamp it to ~24.8 days).
  const timer = Number.isFinite(maxWaitMs)
    ? setTimeout(() => deadline.abort(), Math.min(maxWaitMs, LONGEST_TIMER_MS))
    : undefined;
  const [combined, cleanup] = signal ? anySignal([signal, deadline.signal]) : [deadline.signal, () => {}];
  const stream = api.streamLogs(process, { signal: combined });
  try {
    for await (const record of stream)
      if (typeof pattern === 'string' ? record.text.includes(pattern) : pattern.test(record.text)) return record;
  } catch (error) {
    if (!deadline.signal.aborted || signal?.aborted) throw error;
    throw new WaitTimeoutError({ processId: id, maxWaitMs });
  } finally {
    clearTimeout(timer);
    stream.close();
    cleanup();
  }
  const wanted = typeof pattern === 'string' ? JSON.stringify(pattern) : String(pattern);
  throw new StreamError({ processId: id, message: `output of ${id} ended without a line matching ${wanted}` });
}
