import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lanes, startLane } from '../../test/helpers/reference-sandbox.js';
import { until, type Sandbox } from '../../test/helpers/sandbox.js';
import { changeStreams, endCleanlyAfter, streamControl } from '../../test/helpers/stream-fetch.js';
import { NotFoundError, type LogRecord } from '../index.js';

const lines = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => `${prefix} ${index + 1}`);

describe.each(lanes)('streams and waits stay with their process (%s)', (lane) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startLane(lane);
  });
  afterAll(() => sandbox.close());

  it("a name reused while the stream reconnects: only the first process's lines, then its end", async () => {
    const name = `reused-stream-${lane}`;
    const first = await sandbox.client.process.exec({
      name,
      command: 'for i in $(seq 1 40); do echo "old $i"; done; sleep 30',
    });
    const control = streamControl();
    const client = sandbox.clientFor(sandbox.url, { fetch: control.fetch });
    const records: LogRecord[] = [];
    const stream = client.process.streamLogs(name, {
      onRecord: (record) => records.push(record),
      reconnect: { initialDelayMs: 10 },
    });
    const texts = (from: 'stdout' | 'stderr') =>
      records.filter((record) => record.stream === from).map((record) => record.text);
    await until(() => texts('stdout').length === 40);
    control.hold();
    control.cut(); // the connection drops; the reconnect waits at the gate
    await until(() => control.paths.length === 2);
    await sandbox.client.process.kill(first.pid);
    expect((await sandbox.client.process.wait(first.pid, { intervalMs: 50 })).status).toBe('killed');
    const second = await sandbox.client.process.exec({
      name,
      command: 'for i in $(seq 1 60); do echo "new $i"; done',
      waitForCompletion: true,
    });
    expect(second.pid).not.toBe(first.pid);
    expect((await sandbox.client.process.get(name)).pid).toBe(second.pid);
    control.open();
    if (lane !== 'extended') {
      // Without `since` the stream resumes by a replay, and the real server keeps output by name:
      // the old process's replay would go on with the new one's lines (a strict server looks the
      // same to the client). That is refused: its output cannot be resumed.
      await expect(stream.done).rejects.toBeInstanceOf(NotFoundError);
      // A reconnection says its own words (a first read says the name now names another process).
      await expect(stream.done).rejects.toThrow(
        `process ${first.pid} is over and its name ${name} was reused (pid ${second.pid}): its output cannot be resumed`,
      );
    } else {
      await stream.done;
      expect(stream.state).toBe('ended');
    }
    // (stderr may carry what a killed process's launcher says, e.g. a sandboxing wrapper's message.)
    expect(texts('stdout')).toEqual(lines('old', 40));
    expect(records.some((record) => record.text.startsWith('new'))).toBe(false);
    expect(control.paths.every((path) => path.startsWith(`/process/${first.pid}/logs/stream`))).toBe(true);
  });

  it('wait(name) resolves with the state of the process it found (killed), not a later one of that name', async () => {
    const name = `reused-wait-${lane}`;
    const first = await sandbox.client.process.exec({ name, command: 'sleep 30' });
    // The waiter's polls after its first answer wait at a gate until the name is reused.
    let polls = 0;
    let open = () => {};
    const gate = new Promise<void>((resolve) => (open = resolve));
    const client = sandbox.clientFor(sandbox.url, {
      fetch: async (input, init) => {
        if (polls++ > 0) await gate;
        return fetch(input, init);
      },
    });
    const waiting = client.process.wait(name, { intervalMs: 20 });
    await until(() => polls >= 2); // pinned: the first answer arrived, the next poll waits
    await sandbox.client.process.kill(first.pid);
    await sandbox.client.process.wait(first.pid, { intervalMs: 50 });
    await sandbox.client.process.exec({ name, command: 'true', waitForCompletion: true });
    expect((await sandbox.client.process.get(name)).status).toBe('completed');
    open();
    const final = await waiting;
    expect(final.pid).toBe(first.pid);
    expect(final.status).toBe('killed');
  });

  it('exec following its output stays with its process when the name is reused at once', async () => {
    const name = `reused-exec-${lane}`;
    const records: LogRecord[] = [];
    const result = await sandbox.client.process.exec(
      { name, command: 'echo mine; sleep 0.3; echo done', waitForCompletion: true },
      { onLog: (record) => records.push(record) },
    );
    expect(result.name).toBe(name);
    expect(records.map((record) => record.text)).toEqual(['mine', 'done']);
    expect(result.status).toBe('completed');
  });
});

describe.each(lanes)('a clean end that may have missed output reconciles (%s)', (lane) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startLane(lane);
  });
  afterAll(() => sandbox.close());

  it('a body ended cleanly by an intermediary, the process over before the reconnect: every line, once', async () => {
    const process = await sandbox.client.process.exec({
      command: 'echo a; echo b; echo c; echo b >&2',
      waitForCompletion: true,
    });
    let streams = 0;
    const client = sandbox.clientFor(sandbox.url, {
      fetch: changeStreams((response, count) => {
        streams++;
        return count === 0 ? endCleanlyAfter(response, 'a\n') : response;
      }),
    });
    const records: string[] = [];
    const stream = client.process.streamLogs(process.pid, {
      onRecord: (record) => records.push(`${record.stream}:${record.text}`),
    });
    await stream.done;
    expect(records.filter((record) => record.startsWith('stdout:'))).toEqual(['stdout:a', 'stdout:b', 'stdout:c']);
    expect(records).toContain('stderr:b');
    expect(records).toHaveLength(4);
    expect(streams).toBe(2); // the cut connection, then one reconciling replay
  });

  it('a cut right after a line repeated later is still noticed (the run of equal lines is counted)', async () => {
    const process = await sandbox.client.process.exec({ command: 'echo x; echo x; echo x', waitForCompletion: true });
    const client = sandbox.clientFor(sandbox.url, {
      fetch: changeStreams((response, count) => (count === 0 ? endCleanlyAfter(response, 'x\n') : response)),
    });
    const records: string[] = [];
    await client.process.streamLogs(process.pid, { onRecord: (record) => records.push(record.text) }).done;
    expect(records).toEqual(['x', 'x', 'x']);
  });

  it('a long output (inline text not whole) cut cleanly near its end: its last lines come by reconciling', async () => {
    const process = await sandbox.client.process.exec({ command: 'seq 1 6000', waitForCompletion: true });
    let streams = 0;
    const client = sandbox.clientFor(sandbox.url, {
      fetch: changeStreams((response, count) => {
        streams++;
        return count === 0 ? endCleanlyAfter(response, '5990\n') : response;
      }),
    });
    const texts: string[] = [];
    await client.process.streamLogs(process.pid, { onRecord: (record) => texts.push(record.text) }).done;
    expect(texts).toEqual(Array.from({ length: 6000 }, (_, index) => String(index + 1)));
    expect(streams).toBe(2);
    // Read whole, the same output ends as delivered: no second connection.
    let again = 0;
    const whole = sandbox.clientFor(sandbox.url, {
      fetch: changeStreams((response) => {
        again++;
        return response;
      }),
    });
    await whole.process.streamLogs(process.pid).done;
    expect(again).toBe(1);
  });

  it('a stream that ended with everything does not reconnect (the inline output ends as delivered)', async () => {
    const process = await sandbox.client.process.exec({ command: 'seq 1 500; echo last >&2', waitForCompletion: true });
    let streams = 0;
    const client = sandbox.clientFor(sandbox.url, {
      fetch: changeStreams((response) => {
        streams++;
        return response;
      }),
    });
    const texts: string[] = [];
    for await (const record of client.process.streamLogs(process.pid)) texts.push(record.text);
    expect(texts).toHaveLength(501);
    expect(streams).toBe(1);
  });
});
