import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modes, startSandbox, until, type Sandbox } from '../../test/helpers/sandbox.js';
import { changeStreams as streamFetch, endCleanlyAfter } from '../../test/helpers/stream-fetch.js';
import { NotFoundError, type LogStreamState } from '../index.js';

describe.each(modes)('streamLogs edge cases (%s)', (mode) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(mode, { keepaliveIntervalMs: 200, maxStreams: 2 });
  });
  afterAll(() => sandbox.close());

  // Needs stdin (newer than the reference build).
  it.skipIf(mode === 'reference')(
    'a body that ends normally in the middle of a line: the line is completed by the next connection',
    async () => {
      const process = await sandbox.client.process.exec({
        command: "printf 'first\\n'; printf 'AB'; read x; printf 'CD\\n'; read y; printf 'last\\n'",
        stdin: true,
      });
      const client = sandbox.clientFor(sandbox.url, {
        fetch: streamFetch((response, count) => (count === 0 ? endCleanlyAfter(response, 'AB') : response)),
      });
      const records: string[] = [];
      const stream = client.process.streamLogs(process.pid, {
        onRecord: (record) => records.push(record.text),
        reconnect: { initialDelayMs: 10 },
      });
      await until(() => records.length === 1);
      await sandbox.client.process.writeStdin(process.pid, 'go\n'); // CD: the line is ABCD
      await until(() => records.length === 2);
      await sandbox.client.process.writeStdin(process.pid, 'go\n');
      await stream.done;
      expect(records).toEqual(['first', 'ABCD', 'last']);
    },
  );

  it('an unterminated last line of a finished process is delivered', async () => {
    const process = await sandbox.client.process.exec({ command: "printf 'a\\nno newline'", waitForCompletion: true });
    const records: string[] = [];
    await sandbox.client.process.streamLogs(process.pid, { onRecord: (record) => records.push(record.text) }).done;
    expect(records).toEqual(['a', 'no newline']);
  });

  // Needs stdin and our maxStreams option.
  it.skipIf(mode === 'reference')(
    '429 (too many open streams) is transient: the stream waits for a free slot',
    async () => {
      const process = await sandbox.client.process.exec({ command: 'echo busy; read x; echo done', stdin: true });
      const holders = [sandbox.client.process.streamLogs(process.pid), sandbox.client.process.streamLogs(process.pid)];
      await until(() => holders.every((holder) => holder.state === 'streaming'));
      const states: LogStreamState[] = [];
      const records: string[] = [];
      const stream = sandbox.client.process.streamLogs(process.pid, {
        onRecord: (record) => records.push(record.text),
        onStateChange: (state) => {
          states.push(state);
          if (state === 'reconnecting') for (const holder of holders) holder.close(); // a slot frees up
        },
        reconnect: { initialDelayMs: 10 },
      });
      await until(() => records.length === 1);
      await sandbox.client.process.writeStdin(process.pid, 'go\n');
      await stream.done;
      expect(records).toEqual(['busy', 'done']);
      expect(states).toContain('reconnecting');
    },
  );

  it("a 429's Retry-After replaces the backoff, capped by reconnect.maxDelayMs", async () => {
    const process = await sandbox.client.process.exec({ command: 'echo retried', waitForCompletion: true });
    // The first stream request of each client answers 429 with a Retry-After; with a one-minute
    // backoff, the streams end within the test's bound only if Retry-After is used (1 s), and capped (20 ms).
    const busyOnce = (retryAfter: string) =>
      sandbox.clientFor(sandbox.url, {
        fetch: streamFetch((response, count) => {
          if (count !== 0) return response;
          void response.body?.cancel();
          return new Response('{"error":"too many open streams"}', {
            status: 429,
            headers: { 'retry-after': retryAfter },
          });
        }),
      });
    const records: string[] = [];
    await busyOnce('1').process.streamLogs(process.pid, {
      onRecord: (record) => records.push(record.text),
      reconnect: { initialDelayMs: 60_000, maxDelayMs: 60_000 },
    }).done;
    expect(records).toEqual(['retried']);
    const capped = busyOnce('3600').process.streamLogs(process.pid, {
      reconnect: { initialDelayMs: 60_000, maxDelayMs: 20 },
    });
    await capped.done;
    expect(capped.delivered).toBe(1);
  }, 10_000);

  it('a callback that throws ends the stream with its error, without reconnecting', async () => {
    const process = await sandbox.client.process.exec({ command: 'echo one; echo two; sleep 30' });
    let opens = 0;
    const client = sandbox.clientFor(sandbox.url, {
      fetch: streamFetch((response) => {
        opens++;
        return response;
      }),
    });
    const failure = new Error('callback failed');
    const stream = client.process.streamLogs(process.pid, {
      onRecord: (record) => {
        if (record.text === 'two') throw failure;
      },
      reconnect: { initialDelayMs: 10 },
    });
    await expect(stream.done).rejects.toBe(failure);
    expect(stream.state).toBe('error');
    expect(opens).toBe(1);
    await sandbox.client.process.kill(process.pid);
  });

  it('output that looks like a notice stays output; only the exact notice texts are notices', async () => {
    const command =
      "echo 'compiling [Output]'; echo 'next line'; echo '[Process 7 ready]'; echo 'x [keepalive] y'; echo 'key stdout:value'; echo last";
    const process = await sandbox.client.process.exec({ command, waitForCompletion: true });
    const records: string[] = [];
    const notices: string[] = [];
    await sandbox.client.process.streamLogs(process.pid, {
      onRecord: (record) => records.push(record.text),
      onNotice: (text) => notices.push(text),
    }).done;
    // Strict mode and the reference (per-chunk prefixes): `stdout:` inside output is taken for a prefix (documented).
    const key = mode === 'extended' ? 'key stdout:value' : 'key value';
    expect(records).toEqual(['compiling [Output]', 'next line', '[Process 7 ready]', 'x [keepalive] y', key, 'last']);
    expect(notices).toEqual([]);
  });

  it('an unknown process: NotFoundError, and no error body reported as a notice', async () => {
    const notices: string[] = [];
    const stream = sandbox.client.process.streamLogs('no-such-process', { onNotice: (text) => notices.push(text) });
    await expect(stream.done).rejects.toBeInstanceOf(NotFoundError);
    expect(notices).toEqual([]);
  });
});
