/**
 * Waiting for a process: until it is over (`wait`), or until a line of its output matches (`waitForLog`).
 */
import { StreamError } from '../errors/transport-errors.js';
import { WaitTimeoutError } from '../errors/wait-timeout-error.js';
import type { LogRecord, ProcessInfo } from '../types.js';
import type { CallOptions } from './client-options.js';
import { isProcessFinished } from './normalize-process.js';
import type { ProcessApi } from './process-api.js';
import { sleep } from './sleep.js';

/** Options of `wait`. */
export interface WaitOptions extends CallOptions {
  /** Give up after this long, in milliseconds (`Infinity`: never). Default `60000`, as the Blaxel SDK. */
  maxWaitMs?: number;
  /** Pause between two polls, in milliseconds. Default `1000`. */
  intervalMs?: number;
}

/** Options of `waitForLog`. */
export interface WaitForLogOptions extends CallOptions {
  /** Give up after this long, in milliseconds (`Infinity`: never). Default `60000`. */
  maxWaitMs?: number;
}

export async function waitForProcess(api: ProcessApi, id: string, options: WaitOptions): Promise<ProcessInfo> {
  const { signal, maxWaitMs = 60_000, intervalMs = 1000 } = options;
  const deadline = Date.now() + maxWaitMs;
  let process = await api.get(id, { signal });
  while (!isProcessFinished(process)) {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new WaitTimeoutError(id, process, maxWaitMs);
    await sleep(Math.min(intervalMs, remaining), signal);
    process = await api.get(id, { signal });
  }
  return process;
}

export async function waitForLog(api: ProcessApi, id: string, pattern: string | RegExp, options: WaitForLogOptions): Promise<LogRecord> {
  const { signal, maxWaitMs = 60_000 } = options;
  const matches = (text: string) => (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));
  const controller = new AbortController();
  const onAbort = () => controller.abort(signal?.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  let timedOut = false;
  const timer = Number.isFinite(maxWaitMs)
    ? setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, maxWaitMs)
    : undefined;
  const stream = api.streamLogs(id, { signal: controller.signal });
  try {
    for await (const record of stream) if (matches(record.text)) return record;
  } catch (error) {
    if (!timedOut) throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
    stream.close();
  }
  if (timedOut) throw new WaitTimeoutError(id, null, maxWaitMs, `print a line matching ${String(pattern)}`);
  throw new StreamError(id, `the output of process ${id} ended without a line matching ${String(pattern)}`);
}
