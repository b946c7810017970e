import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type ConnectionFault } from '../../test/helpers/fault-proxy.js';
import { modes, startSandbox, until, type Sandbox } from '../../test/helpers/sandbox.js';
import { NotFoundError, StreamError, type LogRecord, type LogStreamState } from '../index.js';

/**
 * 3000 lines, stdout and stderr mixed, with pauses so that part of it is live rather than backlog.
 * Each line is 64 bytes: the real server reads output in 4096-byte chunks, and a stream that
 * attaches while its log ends in the middle of a line gets that line cut in two (its replay ends
 * the partial line with a newline); whole lines per chunk keep the reference lane deterministic.
 */
const manyLines =
  "i=1; while [ $i -le 3000 ]; do if [ $((i % 7)) = 0 ]; then printf 'line %058d\\n' $i >&2; else printf 'line %058d\\n' $i; fi; " +
  'if [ $((i % 600)) = 0 ]; then sleep 0.2; fi; i=$((i + 1)); done';

/** Every line once, each stream in order (stdout and stderr are separate pipes: their interleaving may vary). */
function expectAllLines(records: LogRecord[]): void {
  expect(records.map((record) => record.index)).toEqual(Array.from({ length: 3000 }, (_, index) => index));
  const numbers = (stream: string) =>
    records.filter((record) => record.stream === stream).map((record) => Number(record.text.slice(5)));
  const all = Array.from({ length: 3000 }, (_, index) => index + 1);
  expect(numbers('stdout')).toEqual(all.filter((number) => number % 7 !== 0));
  expect(numbers('stderr')).toEqual(all.filter((number) => number % 7 === 0));
}

describe.each(modes)('streamLogs against the local server (%s)', (mode) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(mode, { keepaliveIntervalMs: 200 });
  });
  afterAll(() => sandbox.close());

  it('iterates the records of a process, then ends when it exits', async () => {
    const process = await sandbox.client.process.exec({
      command: 'for i in 1 2 3 4 5; do echo line $i; sleep 0.1; done',
    });
    const states: LogStreamState[] = [];
    const stream = sandbox.client.process.streamLogs(process.pid, { onStateChange: (state) => states.push(state) });
    const records: LogRecord[] = [];
    for await (const record of stream) records.push(record);
    await stream.done;
    expect(records.map((record) => record.text)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5']);
    expect(records.map((record) => record.index)).toEqual([0, 1, 2, 3, 4]);
    expect(states).toEqual(['connecting', 'streaming', 'ended']);
    expect(stream.state).toBe('ended');
    expect(stream.delivered).toBe(5);
  });

  it('delivers to callbacks, starts at `since`, and replays a finished process', async () => {
    const process = await sandbox.client.process.exec({
      command: 'echo a; sleep 0.2; echo b >&2; sleep 0.2; echo c',
      waitForCompletion: true,
    });
    const records: LogRecord[] = [];
    await sandbox.client.process.streamLogs(process.pid, { onRecord: (record) => records.push(record) }).done;
    expect(records).toEqual([
      { stream: 'stdout', text: 'a', index: 0 },
      { stream: 'stderr', text: 'b', index: 1 },
      { stream: 'stdout', text: 'c', index: 2 },
    ]);
    const later: LogRecord[] = [];
    await sandbox.client.process.streamLogs(process.pid, { since: 1, onRecord: (record) => later.push(record) }).done;
    expect(later).toEqual(records.slice(1));
  });

  it('reports notices apart from records', async () => {
    const process = await sandbox.client.process.exec({ command: 'echo first; sleep 30' });
    const records: string[] = [];
    const notices: string[] = [];
    const stream = sandbox.client.process.streamLogs(process.pid, {
      onRecord: (record) => records.push(record.text),
      onNotice: (text) => notices.push(text),
    });
    await until(() => records.length === 1);
    await sandbox.client.process.stop(process.pid);
    await stream.done;
    expect(records).toEqual(['first']);
    expect(notices.some((notice) => /gracefully terminated/.test(notice))).toBe(true);
  });

  it('follows a restartOnFailure process across its restarts', async () => {
    const process = await sandbox.client.process.exec({
      command: 'echo run; sleep 0.1; exit 1',
      restartOnFailure: true,
      maxRestarts: 2,
    });
    const records: string[] = [];
    await sandbox.client.process.streamLogs(process.pid, { onRecord: (record) => records.push(record.text) }).done;
    if (mode === 'reference' || mode === 'strict') {
      // The real server (and strict mode, as it) replays earlier runs' output again after a restart
      // (PROTOCOL.md §7), and a reconnect's replay lands wherever a run was: no more is certain.
      expect(records.length).toBeGreaterThanOrEqual(3);
      expect(new Set(records)).toEqual(new Set(['run']));
    } else {
      expect(records).toEqual(['run', 'run', 'run']);
    }
    expect((await sandbox.client.process.get(process.pid)).restartCount).toBe(2);
  });

  it('rejects done with NotFoundError for an unknown process', async () => {
    const stream = sandbox.client.process.streamLogs('no-such-process');
    await expect(stream.done).rejects.toBeInstanceOf(NotFoundError);
    expect(stream.state).toBe('error');
    const iterator = sandbox.client.process.streamLogs('no-such-process')[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toBeInstanceOf(NotFoundError);
  });

  it('close() ends the stream at once; an aborted signal rejects done with AbortError', async () => {
    const process = await sandbox.client.process.exec({ command: 'echo one; sleep 30' });
    const stream = sandbox.client.process.streamLogs(process.pid);
    const iterator = stream[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toMatchObject({ text: 'one' });
    stream.close();
    await stream.done;
    expect(await iterator.next()).toEqual({ value: undefined, done: true });
    expect(stream.state).toBe('ended');
    const controller = new AbortController();
    const aborted = sandbox.client.process.streamLogs(process.pid, { signal: controller.signal });
    controller.abort();
    await expect(aborted.done).rejects.toMatchObject({ name: 'AbortError' });
    await sandbox.client.process.kill(process.pid);
  });

  it('a slow iterator applies backpressure without losing or repeating records', async () => {
    // Finished first: a stream that attaches to the real server while `seq` is mid-chunk may get a line cut in two.
    const process = await sandbox.client.process.exec({ command: 'seq 1 2000', waitForCompletion: true });
    const stream = sandbox.client.process.streamLogs(process.pid, { highWaterMark: 50 });
    const texts: string[] = [];
    for await (const record of stream) {
      texts.push(record.text);
      if (texts.length % 100 === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(texts).toEqual(Array.from({ length: 2000 }, (_, index) => String(index + 1)));
  });

  it('survives connections dropped mid-stream several times: 3000 lines, each exactly once', async () => {
    let streams = 0;
    const proxy = await startFaultProxy(
      sandbox.url,
      () => ({}),
      (request) =>
        request.path.includes('/logs/stream') && streams < 5 ? { dropAfterBytes: 6000 + streams++ * 3000 } : {},
    );
    try {
      const client = sandbox.clientFor(proxy.url);
      const process = await sandbox.client.process.exec({ command: manyLines });
      const records: LogRecord[] = [];
      const states: LogStreamState[] = [];
      const stream = client.process.streamLogs(process.pid, {
        onRecord: (record) => records.push(record),
        onStateChange: (state) => states.push(state),
        reconnect: { initialDelayMs: 20 },
      });
      await stream.done;
      expectAllLines(records);
      expect(states.filter((state) => state === 'reconnecting').length).toBeGreaterThanOrEqual(3);
      expect(proxy.faults).toBeGreaterThanOrEqual(3);
    } finally {
      await proxy.close();
    }
  });

  it('treats a silent connection as dead (keepalive watchdog) and resumes', async () => {
    let streams = 0;
    const proxy = await startFaultProxy(
      sandbox.url,
      () => ({}),
      (request) => (request.path.includes('/logs/stream') && streams++ < 2 ? { stallAfterBytes: 5000 } : {}),
    );
    try {
      const client = sandbox.clientFor(proxy.url);
      const process = await sandbox.client.process.exec({ command: manyLines });
      const records: LogRecord[] = [];
      const stream = client.process.streamLogs(process.pid, {
        onRecord: (record) => records.push(record),
        keepaliveTimeoutMs: 600,
        reconnect: { initialDelayMs: 20 },
      });
      const iterated: LogRecord[] = [];
      for await (const record of stream) iterated.push(record);
      await stream.done;
      expectAllLines(records);
      expect(iterated).toEqual(records);
      expect(proxy.faults).toBe(2);
    } finally {
      await proxy.close();
    }
  });

  it('fails with StreamError once reconnect attempts are exhausted', async () => {
    // Two connections pass: the stream's, and (where the server replays from the start) the read
    // that checks its process before the first line.
    const proxy = await startFaultProxy(
      sandbox.url,
      (index): ConnectionFault => (index < 2 ? {} : { dropRequest: true }),
    );
    try {
      const process = await sandbox.client.process.exec({ command: 'echo once; sleep 30' });
      const client = sandbox.clientFor(proxy.url, { retry: false });
      const records: string[] = [];
      const stream = client.process.streamLogs(process.pid, {
        onRecord: (record) => records.push(record.text),
        reconnect: { maxAttempts: 2, initialDelayMs: 10 },
      });
      await until(() => records.length === 1);
      await proxy.close(); // every connection is cut from now on
      await expect(stream.done).rejects.toBeInstanceOf(StreamError);
      expect(stream.state).toBe('error');
      expect(records).toEqual(['once']);
      await sandbox.client.process.kill(process.pid);
    } finally {
      await proxy.close().catch(() => {});
    }
  });
});

describe('streamLogs when the server capped the log (extended)', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox('extended', { outputDiskBytes: 16 * 1024 });
  });
  afterAll(() => sandbox.close());

  it('reports the gap and keeps the server indexes', async () => {
    const process = await sandbox.client.process.exec({ command: 'seq 1 30000', waitForCompletion: true });
    const gaps: { from: number; to: number }[] = [];
    const records: LogRecord[] = [];
    await sandbox.client.process.streamLogs(process.pid, {
      onGap: (gap) => gaps.push(gap),
      onRecord: (record) => records.push(record),
    }).done;
    expect(gaps.length).toBe(1);
    expect(gaps[0]?.from).toBe(0);
    const first = gaps[0]?.to ?? 0;
    expect(first).toBeGreaterThan(0);
    expect(records.map((record) => record.index)).toEqual(
      Array.from({ length: 30000 - first }, (_, offset) => first + offset),
    );
    for (const record of records) expect(record.text).toBe(String(record.index + 1));
  });
});
