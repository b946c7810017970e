/**
 * A server that replays a process's output from its start on every connection (the real server,
 * strict mode) behind a proxy that stalls every response after the same number of bytes (the
 * watchdog then drops it): no connection after the first ever gets past the cursor. The stream must fail after `maxAttempts` with the records it
 * delivered exact, not reconnect forever (each replay used to count as progress).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../test/helpers/fault-proxy.js';
import { startSandbox, type Sandbox } from '../../test/helpers/sandbox.js';
import { StreamError } from '../index.js';

describe('a replaying server behind a proxy that stalls every stream at the same byte (strict)', () => {
  let sandbox: Sandbox;
  let proxy: FaultProxy;
  let streams = 0;
  beforeAll(async () => {
    sandbox = await startSandbox('strict');
    proxy = await startFaultProxy(
      sandbox.url,
      () => ({}),
      (request) => {
        if (!request.path.includes('/logs/stream')) return {};
        streams++;
        return { stallAfterBytes: 60_000 };
      },
    );
  });
  afterAll(async () => {
    await proxy.close();
    await sandbox.close();
  });

  it('fails with a StreamError after maxAttempts connections that bring nothing new, with the lines it delivered exact', async () => {
    const { process: api } = sandbox.clientFor(proxy.url);
    const started = await api.exec({ command: 'seq 1 50000', waitForCompletion: true });
    expect(started.status).toBe('completed');
    const texts: string[] = [];
    const stream = api.streamLogs(started, {
      reconnect: { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 },
      keepaliveTimeoutMs: 300,
      onRecord: (record) => texts.push(record.text),
    });
    const error = await stream.done.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StreamError);
    expect((error as StreamError).message).toContain('lost after 3 attempts');
    // The first connection delivered what it got; the next three (each stalled at the same byte) nothing.
    expect(streams).toBe(4);
    expect(texts.length).toBeGreaterThan(1000);
    expect(texts.length).toBeLessThan(50_000);
    expect(texts).toEqual(Array.from({ length: texts.length }, (_, index) => String(index + 1)));
    expect(stream.delivered).toBe(texts.length);
  });
});
