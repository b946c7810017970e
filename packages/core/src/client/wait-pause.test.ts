import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox, until } from '../../test/helpers/sandbox.js';
import { InvalidArgumentError } from '../index.js';
import { LONGEST_TIMER_MS } from '../shared/timer-limit.js';

describe('the pause of wait between polls', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox('extended');
  });
  afterAll(() => sandbox.close());
  afterEach(() => vi.restoreAllMocks());

  it('an intervalMs past what setTimeout holds (Infinity) pauses the longest it holds, not 1 ms (a poll every millisecond)', async () => {
    const started = await sandbox.client.process.exec({ command: 'sleep 600' });
    const delays: number[] = [];
    const realSetTimeout = globalThis.setTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((handler: () => void, delay?: number) => {
      delays.push(delay ?? 0);
      return realSetTimeout(handler, delay);
    }) as typeof setTimeout);
    let requests = 0;
    const client = sandbox.clientFor(sandbox.url, {
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    const abort = new AbortController();
    const waiting = client.process
      .wait(started.pid, {
        intervalMs: Number.POSITIVE_INFINITY,
        maxWaitMs: Number.POSITIVE_INFINITY,
        signal: abort.signal,
      })
      .catch((error: unknown) => error);
    try {
      // The first poll was answered and the pause before the next one set.
      await until(() => requests >= 1 && delays.some((delay) => delay >= 1_000_000_000));
      expect(delays.filter((delay) => delay >= 1_000_000_000)).toEqual([LONGEST_TIMER_MS]);
      expect(requests).toBe(1);
    } finally {
      abort.abort();
      await waiting;
      await sandbox.client.process.kill(started.pid);
    }
  });

  it('a maxWaitMs or intervalMs given as a string is refused, not used as a string deadline', async () => {
    for (const options of [{ maxWaitMs: '5000' }, { intervalMs: '1000' }]) {
      const refused = await sandbox.client.process
        .wait('1', options as unknown as { maxWaitMs: number })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(InvalidArgumentError);
      expect((refused as Error).message).toMatch(/must be a number of milliseconds ≥ 0, got "\d+"$/);
    }
  });
});
