import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lanes, startLane } from '../../test/helpers/reference-sandbox.js';
import { until, type Sandbox } from '../../test/helpers/sandbox.js';
import { NotFoundError, type LogRecord, type ProcessInfo } from '../index.js';

/**
 * The first connection of a stream checks the process it was given, as a reconnect does: a server
 * that replays output kept by name (the real one; a strict one looks the same to the client) must
 * not feed the stream of a finished process the output of a newer process of that name.
 */
describe.each(lanes)('the first connection of a stream checks its process (%s)', (lane) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startLane(lane);
  });
  afterAll(() => sandbox.close());
  /** Servers without `X-Log-Offset` replay from the start, by name on the real server. */
  const replaysByName = lane !== 'extended';

  /** Reads a whole stream: the records, how it ended, and the log-stream requests it made. */
  async function read(process: string | ProcessInfo, form: 'callback' | 'iterator' = 'callback') {
    const paths: string[] = [];
    const client = sandbox.clientFor(sandbox.url, {
      fetch: (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (url.pathname.endsWith('/logs/stream')) paths.push(url.pathname + url.search);
        return fetch(input, init);
      },
    });
    const records: LogRecord[] = [];
    const stream =
      form === 'callback'
        ? client.process.streamLogs(process, { onRecord: (record) => records.push(record) })
        : client.process.streamLogs(process);
    const done =
      form === 'callback'
        ? stream.done
        : (async () => {
            for await (const record of stream) records.push(record);
          })();
    const error = await done.then(
      () => undefined,
      (caught: unknown) => caught,
    );
    return { records, texts: records.map((record) => `${record.stream}:${record.text}`), error, stream, paths };
  }

  it('a finished process whose name a newer one took: never a line of the newer one (a typed error where the server replays by name)', async () => {
    const name = `reused-at-open-${lane}`;
    const running = await sandbox.client.process.exec({ name, command: 'echo old 1; echo old 2 >&2; echo old 3' });
    const finished = await sandbox.client.process.wait(running.pid, { intervalMs: 20 });
    expect(finished.status).toBe('completed');
    const newer = await sandbox.client.process.exec({
      name,
      command: 'echo new 1; echo new 2 >&2; echo new 3',
      waitForCompletion: true,
    });
    expect(newer.pid).not.toBe(finished.pid);
    expect((await sandbox.client.process.get(name)).pid).toBe(newer.pid);
    // The process as it was given: finished, still running (exec's answer), or only its pid; read
    // with a callback and with the iterator.
    for (const [given, form] of [
      [finished, 'callback'],
      [running, 'callback'],
      [finished.pid, 'callback'],
      [finished, 'iterator'],
    ] as const) {
      const { records, texts, error, stream } = await read(given, form);
      expect(records.some((record) => record.text.startsWith('new'))).toBe(false);
      if (replaysByName) {
        expect(error).toBeInstanceOf(NotFoundError);
        const message = (error as Error).message;
        expect(message).toContain(`process ${finished.pid} is over and its name ${name} now names another process`);
        expect(message).toContain(`(pid ${newer.pid}, started ${newer.startedAt!.toISOString()})`);
        expect(message).not.toMatch(/resumed/);
        expect((error as NotFoundError).processId).toBe(finished.pid);
        expect(stream.state).toBe('error');
        expect(records).toEqual([]);
      } else {
        expect(error).toBeUndefined();
        expect(stream.state).toBe('ended');
        // (stdout and stderr are two pipes: their relative order is the reader's luck.)
        expect(texts.filter((text) => text.startsWith('stdout:'))).toEqual(['stdout:old 1', 'stdout:old 3']);
        expect(texts.filter((text) => text.startsWith('stderr:'))).toEqual(['stderr:old 2']);
      }
    }
  });

  it('a finished process whose name a running process took: the same, and the stream does not follow the newer one', async () => {
    const name = `reused-by-running-${lane}`;
    const finished = await sandbox.client.process.exec({ name, command: 'echo old', waitForCompletion: true });
    const newer = await sandbox.client.process.exec({ name, command: 'echo new; sleep 30' });
    await until(async () => (await sandbox.client.process.logs(newer.pid)).includes('new'));
    try {
      const { records, error, stream } = await read(finished);
      expect(records.some((record) => record.text.startsWith('new'))).toBe(false);
      if (replaysByName) {
        expect(error).toBeInstanceOf(NotFoundError);
        expect((error as Error).message).toContain(`now names another process (pid ${newer.pid}`);
      } else {
        expect(error).toBeUndefined();
        expect(stream.state).toBe('ended');
        expect(records.map((record) => record.text)).toEqual(['old']);
      }
    } finally {
      await sandbox.client.process.kill(newer.pid);
    }
  });

  it('a process given whose pid now names another process (a later start, no restart counted): NotFoundError, no line', async () => {
    const process = await sandbox.client.process.exec({ command: 'echo current', waitForCompletion: true });
    // The process given started a minute before the server's record of its pid: that pid was reused.
    const earlier = { ...process, startedAt: new Date(process.startedAt!.getTime() - 60_000) };
    const { records, error, stream } = await read(earlier);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain(`process ${process.pid} is gone (its pid was reused)`);
    expect(stream.state).toBe('error');
    expect(records).toEqual([]);
  });

  it('a finished process still the same (its name not reused): its whole output, then ended, on one connection', async () => {
    const name = `same-at-open-${lane}`;
    const process = await sandbox.client.process.exec({
      name,
      command: 'for i in $(seq 1 50); do echo "line $i"; done; echo last >&2',
      waitForCompletion: true,
    });
    const expected = [...Array.from({ length: 50 }, (_, index) => `stdout:line ${index + 1}`), 'stderr:last'];
    for (const given of [process, process.pid, name]) {
      for (const form of ['callback', 'iterator'] as const) {
        const { texts, records, error, stream, paths } = await read(given, form);
        expect(error).toBeUndefined();
        expect(stream.state).toBe('ended');
        // (The real server sends stdout then stderr only when they were written apart in time.)
        expect([...texts].sort()).toEqual([...expected].sort());
        expect(texts.filter((text) => text.startsWith('stdout:'))).toEqual(expected.slice(0, 50));
        expect(records.map((record) => record.index)).toEqual(expected.map((_, index) => index));
        expect(paths).toEqual([`/process/${process.pid}/logs/stream`]);
      }
    }
  });

  it('a running process, given or by name: its lines as they come, then ended (unchanged)', async () => {
    for (const by of ['process', 'name'] as const) {
      const name = `running-at-open-${by}-${lane}`;
      const process = await sandbox.client.process.exec({
        name,
        command: 'for i in 1 2 3 4 5; do echo "tick $i"; sleep 0.1; done',
      });
      expect(process.status).toBe('running');
      const { texts, error, stream, paths } = await read(by === 'process' ? process : name);
      expect(error).toBeUndefined();
      expect(stream.state).toBe('ended');
      expect(texts).toEqual(['stdout:tick 1', 'stdout:tick 2', 'stdout:tick 3', 'stdout:tick 4', 'stdout:tick 5']);
      expect(paths[0]).toBe(`/process/${process.pid}/logs/stream`);
      expect((await sandbox.client.process.get(process.pid)).status).toBe('completed');
    }
  });
});
