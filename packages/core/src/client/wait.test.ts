import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WaitTimeoutError } from '../errors/wait-timeout-error.js';
import type { ProcessInfo, ProcessStatus } from '../types.js';
import { normalizeProcess } from '../shared/normalize-process.js';
import type { ProcessApi } from './process-api.js';
import { ProcessPin } from './process-pin.js';
import { waitForLog, waitForProcess } from './wait.js';

/** Pure polling logic with fake timers: a scripted sequence of states instead of a server. */
function scripted(statuses: (ProcessStatus | Error)[]) {
  const calls: number[] = [];
  const api = {
    get: async (): Promise<ProcessInfo> => {
      calls.push(Date.now());
      const next = statuses.length > 1 ? statuses.shift() : statuses[0];
      if (next instanceof Error) throw next;
      return normalizeProcess({ pid: '1', status: next ?? 'running' });
    },
  } as unknown as ProcessApi;
  return { api, calls, pin: (id: string) => new ProcessPin((pid, options) => api.get(pid, options), id) };
}

describe('waitForProcess timing', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('returns at once, without sleeping, when the process is already over', async () => {
    const { pin, calls } = scripted(['completed']);
    await expect(waitForProcess(pin('1'), {})).resolves.toMatchObject({ status: 'completed' });
    expect(calls).toEqual([0]);
  });

  it('polls every intervalMs until the process is over', async () => {
    const { pin, calls } = scripted(['running', 'running', 'failed']);
    const waiting = waitForProcess(pin('1'), { intervalMs: 250 });
    await vi.advanceTimersByTimeAsync(1000);
    await expect(waiting).resolves.toMatchObject({ status: 'failed' });
    expect(calls).toEqual([0, 250, 500]);
  });

  it('throws WaitTimeoutError with the last state after maxWaitMs, the last sleep shortened to the deadline', async () => {
    const { pin, calls } = scripted(['running']);
    const waiting = waitForProcess(pin('7'), { intervalMs: 400, maxWaitMs: 1000 }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(2000);
    const error = await waiting;
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).process?.status).toBe('running');
    expect((error as WaitTimeoutError).maxWaitMs).toBe(1000);
    expect(calls).toEqual([0, 400, 800, 1000]);
  });

  it('a failing poll rejects at once', async () => {
    const { pin } = scripted(['running', new Error('poll failed')]);
    const waiting = waitForProcess(pin('1'), { intervalMs: 100 }).catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(200);
    expect(await waiting).toMatchObject({ message: 'poll failed' });
  });
});

describe('waitForLog timers', () => {
  it('maxWaitMs: Infinity sets no timer (not one clamped to 2^31-1 ms)', () => {
    vi.useFakeTimers();
    try {
      // A log stream that never yields: only the timers are looked at.
      const stream = { close: () => {}, [Symbol.asyncIterator]: () => ({ next: () => new Promise<never>(() => {}) }) };
      const client = { process: { streamLogs: () => stream } } as unknown as { process: ProcessApi };
      void waitForLog(client, '1', 'x', { maxWaitMs: Infinity });
      expect(vi.getTimerCount()).toBe(0);
      void waitForLog(client, '1', 'x', { maxWaitMs: 1000 });
      expect(vi.getTimerCount()).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
