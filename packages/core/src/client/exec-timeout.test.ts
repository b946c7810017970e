import { countingFetch } from '@sandproc/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modes, startSandbox, type Sandbox } from '../../test/helpers/sandbox.js';
import { InvalidArgumentError } from '../index.js';
import { LONGEST_TIMER_MS } from '../shared/timer-limit.js';
import type { LogRecord } from '../types.js';
import { MAX_EXEC_TIMEOUT_SECONDS } from './exec-timeout.js';

describe.each(modes)('exec timeout at the edge of what servers and timers hold (%s)', (mode) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(mode);
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('the largest timeout is 2,147,483 s: the longest whole-second delay setTimeout holds', () => {
    expect(MAX_EXEC_TIMEOUT_SECONDS).toBe(2_147_483);
    expect(MAX_EXEC_TIMEOUT_SECONDS * 1000).toBeLessThanOrEqual(LONGEST_TIMER_MS);
    expect((MAX_EXEC_TIMEOUT_SECONDS + 1) * 1000).toBeGreaterThan(LONGEST_TIMER_MS);
  });

  it('the largest timeout while following the output: the process runs to its end', async () => {
    const records: LogRecord[] = [];
    const done = await sandbox.client.process.exec(
      { command: 'sleep 0.3; echo done', waitForCompletion: true, timeout: MAX_EXEC_TIMEOUT_SECONDS },
      { onLog: (record) => records.push(record) },
    );
    expect(done.status).toBe('completed');
    expect(records.map((record) => record.text)).toEqual(['done']);
  });

  it('the largest timeout with the answer held by the server, and with keepAlive: the process runs to its end', async () => {
    const held = await sandbox.client.process.exec({
      command: 'sleep 0.3; echo done',
      waitForCompletion: true,
      timeout: MAX_EXEC_TIMEOUT_SECONDS,
    });
    expect(held.status).toBe('completed');
    expect(held.logs).toBe('done\n');
    const kept = await sandbox.client.process.exec({
      command: 'sleep 0.3',
      keepAlive: true,
      timeout: MAX_EXEC_TIMEOUT_SECONDS,
    });
    expect((await sandbox.client.process.wait(kept.pid)).status).toBe('completed');
  });

  // Past it, the client's own timer (following the output) would fire at once, our server answers
  // 400, and a far larger one overflows the real server's nanoseconds (422 at once, or a keepAlive
  // process killed at once). A fraction, a negative or a non-finite number is no whole second.
  for (const [timeout, extra] of [
    [MAX_EXEC_TIMEOUT_SECONDS + 1, { waitForCompletion: true }],
    [MAX_EXEC_TIMEOUT_SECONDS + 1, { keepAlive: true }],
    [9_223_372_037, { waitForCompletion: true }],
    [1.5, { waitForCompletion: true }],
    [-1, {}],
    [Number.NaN, {}],
    [Number.POSITIVE_INFINITY, { waitForCompletion: true }],
    ['60', {}],
  ] as const) {
    it(`refuses timeout ${typeof timeout === 'string' ? `"${timeout}"` : timeout} (${Object.keys(extra).join(', ') || 'alone'}) before any request`, async () => {
      const counting = countingFetch();
      const client = sandbox.clientFor(sandbox.url, { fetch: counting.fetch });
      const name = `timeout-refused-${Math.random().toString(36).slice(2, 8)}`;
      const error = await client.process
        .exec({ command: 'sleep 5', name, timeout: timeout as number, ...extra })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidArgumentError);
      expect(error).toMatchObject({ kind: 'invalid-argument', argument: 'timeout', value: timeout });
      expect((error as Error).message).toBe(
        `timeout must be a whole number of seconds from 0 (no bound) to 2147483, got ${typeof timeout === 'number' ? timeout : JSON.stringify(timeout)}`,
      );
      expect(counting.requests).toEqual([]);
      expect((await sandbox.client.process.list()).map((process) => process.name)).not.toContain(name);
    });
  }

  if (mode === 'reference') {
    it('the real server itself holds up to 9,223,372,036 s and times out at once past it', async () => {
      const post = (timeout: number) =>
        fetch(`${sandbox.url}/process`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ command: 'sleep 0.2', waitForCompletion: true, timeout }),
        });
      const held = await post(9_223_372_036);
      expect(held.status).toBe(200);
      expect(await held.json()).toMatchObject({ status: 'completed' });
      const overflowed = await post(9_223_372_037);
      expect(overflowed.status).toBe(422);
      expect(await overflowed.json()).toEqual({ error: 'process timed out after 9223372037 seconds' });
    });
  }
});
