import { countingFetch, until, withoutEntityTags } from '@sandproc/test-utils';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startSandbox, type Sandbox } from '../../test/helpers/sandbox.js';
import type { SandprocClient } from '../client/index.js';
import type { ProcessInfo } from '../types.js';
import { ExecController, type ExecStatus } from './exec-controller.js';
import { ObserverCache } from './observer-cache.js';
import { LineBuffer } from './line-buffer.js';
import { LogsObserver, type LogsState } from './logs-observer.js';

let sandbox: Sandbox;
beforeAll(async () => {
  sandbox = await startSandbox('extended');
});
afterAll(async () => {
  await sandbox?.close();
});

/** A client of the test server whose fetch counts the requests per `METHOD path`. */
function countingClient(): { client: SandprocClient; count: (method: string, path: string) => number } {
  const counting = countingFetch();
  const client = sandbox.clientFor(sandbox.url, { fetch: counting.fetch });
  return { client, count: counting.count };
}

describe('ProcessObserver against the local server', () => {
  it('intervalMs: Infinity fetches once and does not poll (setTimeout would fire it every millisecond)', async () => {
    const { client, count } = countingClient();
    const started = await client.process.exec({ command: 'sleep 30' });
    const observer = new ObserverCache().getProcessObserver(client, started.pid, {
      intervalMs: Number.POSITIVE_INFINITY,
    });
    const unsubscribe = observer.subscribe(() => {});
    await until(() => observer.getSnapshot().data !== undefined && !observer.getSnapshot().isFetching);
    expect(observer.getSnapshot().isPolling).toBe(false);
    expect(count('GET', `/process/${started.pid}`)).toBe(1);
    unsubscribe();
    await client.process.kill(started.pid);
  });

  it('an unchanged poll (a 304: the same data) tells subscribers twice, isFetching on and off, no more', async () => {
    const { client, count } = countingClient();
    const started = await client.process.exec({ command: 'sleep 30' });
    const observer = new ObserverCache().getProcessObserver(client, started.pid, { intervalMs: 5 });
    let notifications = 0;
    const unsubscribe = observer.subscribe(() => notifications++);
    const path = `/process/${started.pid}`;
    await until(() => count('GET', path) >= 3 && !observer.getSnapshot().isFetching);
    const [fetchesBefore, notificationsBefore, data] = [count('GET', path), notifications, observer.getSnapshot().data];
    await until(() => count('GET', path) >= fetchesBefore + 30 && !observer.getSnapshot().isFetching);
    unsubscribe();
    const polls = count('GET', path) - fetchesBefore;
    expect(observer.getSnapshot().data).toBe(data); // every answer was a 304
    expect(notifications - notificationsBefore).toBeLessThanOrEqual(2 * polls);
    await client.process.kill(started.pid);
  });

  it('against a server without ETags (as the real sandbox-api), an unchanged answer keeps the same data object, and a list its unchanged items', async () => {
    const counting = countingFetch(withoutEntityTags());
    const client = sandbox.clientFor(sandbox.url, { fetch: counting.fetch });
    const first = await client.process.exec({ command: 'sleep 30' });
    const cache = new ObserverCache();
    const observer = cache.getProcessObserver(client, first.pid, { intervalMs: 5 });
    const list = cache.getProcessListObserver(client, { intervalMs: 5 });
    const unsubscribe = [observer.subscribe(() => {}), list.subscribe(() => {})];
    const path = `/process/${first.pid}`;
    await until(() => counting.count('GET', path) >= 2 && observer.getSnapshot().data !== undefined);
    const data = observer.getSnapshot().data;
    await until(() => list.getSnapshot().data?.some((process) => process.pid === first.pid) === true);
    const item = list.getSnapshot().data?.find((process) => process.pid === first.pid);
    const fetchesBefore = counting.count('GET', path);
    await until(() => counting.count('GET', path) >= fetchesBefore + 10 && !observer.getSnapshot().isFetching);
    expect(observer.getSnapshot().data).toBe(data);
    const second = await client.process.exec({ command: 'sleep 30' });
    await until(() => list.getSnapshot().data?.some((process) => process.pid === second.pid) === true);
    expect(list.getSnapshot().data?.find((process) => process.pid === first.pid)).toBe(item);
    await client.process.kill(first.pid);
    await until(() => observer.getSnapshot().data?.status !== 'running');
    expect(observer.getSnapshot().data).not.toBe(data);
    for (const stop of unsubscribe) stop();
    await client.process.kill(second.pid);
  });

  it('ten subscribers share one poll, which stops at the terminal status', async () => {
    const { client, count } = countingClient();
    const cache = new ObserverCache();
    const started = await client.process.exec({ command: 'sleep 0.6; exit 3' });
    const path = `/process/${started.pid}`;
    let fetches = 0;
    const unsubscribes: (() => void)[] = [];
    for (let index = 0; index < 10; index++) {
      const observer = cache.getProcessObserver(client, started.pid, { intervalMs: 50 });
      let wasFetching = false;
      unsubscribes.push(
        observer.subscribe(() => {
          const { isFetching } = observer.getSnapshot();
          if (isFetching && !wasFetching) fetches++;
          wasFetching = isFetching;
        }),
      );
    }
    const observer = cache.getProcessObserver(client, started.pid);
    await until(() => observer.getSnapshot().data?.status === 'failed', { intervalMs: 10, what: 'failed' });
    const snapshot = observer.getSnapshot();
    expect(snapshot.data?.exitCode).toBe(3);
    expect(snapshot.isPolling).toBe(false);
    // Every request came from the one shared observer (each fetch notifies each of the 10 subscribers).
    expect(count('GET', path)).toBe(fetches / 10);
    expect(count('GET', path)).toBeGreaterThanOrEqual(2);
    // Settled: a new subscriber starts no poll.
    const before = count('GET', path);
    const late = observer.subscribe(() => {});
    await new Promise((resolve) => setTimeout(resolve, 0));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(observer.getSnapshot()).toMatchObject({ isFetching: false, isPolling: false });
    expect(count('GET', path)).toBe(before);
    late();
    for (const unsubscribe of unsubscribes) unsubscribe();
  });

  it('reports a request error for an unknown process and keeps the data empty', async () => {
    const { client } = countingClient();
    const observer = new ObserverCache().getProcessObserver(client, 'no-such-process', { intervalMs: 50 });
    const unsubscribe = observer.subscribe(() => {});
    await until(() => observer.getSnapshot().failureCount >= 1, { intervalMs: 10, what: 'an error' });
    expect(observer.getSnapshot().data).toBeUndefined();
    expect((observer.getSnapshot().error as { kind?: string }).kind).toBeDefined();
    unsubscribe();
  });
});

describe('LogsObserver against the local server', () => {
  it('keeps the last maxLines lines of both streams, in order, and counts the dropped', async () => {
    const { client, count } = countingClient();
    const started = await client.process.exec({
      command: 'for i in $(seq 1 1000); do echo "out $i"; echo "err $i" >&2; done',
      waitForCompletion: true,
    });
    const observer = new LogsObserver(client.process, started.pid, { maxLines: 300, notifyIntervalMs: 20 });
    let notifications = 0;
    const unsubscribe = observer.subscribe(() => notifications++);
    await until(() => observer.getSnapshot().status === 'ended', { intervalMs: 10, what: 'ended' });
    const { lines, dropped, total } = observer.getSnapshot();
    expect(total).toBe(2000);
    expect(lines).toHaveLength(300);
    expect(dropped).toBe(1700);
    expect(lines.map((line) => line.index)).toEqual(Array.from({ length: 300 }, (_, i) => 1700 + i));
    const out = lines.filter((line) => line.stream === 'stdout').map((line) => Number(line.text.slice(4)));
    const err = lines.filter((line) => line.stream === 'stderr').map((line) => Number(line.text.slice(4)));
    expect(out.length + err.length).toBe(300);
    // Each stream's lines in order, up to its last one. The order between the two streams is the
    // order the server read its two pipes in: the last 300 may be of one stream only.
    for (const numbers of [out, err]) {
      expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
      if (numbers.length > 0) expect(numbers.at(-1)).toBe(1000);
    }
    // Batched: far fewer notifications than lines.
    expect(notifications).toBeLessThan(200);
    expect(count('GET', `/process/${started.pid}/logs/stream`)).toBe(1);
    unsubscribe();
  });

  it('takes a flood of 100,000 lines with maxLines 100,000 in linear work: the lines are copied once, when read', async () => {
    const { client } = countingClient();
    const appends = vi.spyOn(LineBuffer.prototype, 'append');
    try {
      const started = await client.process.exec({ command: 'seq 1 100000' });
      const observer = new LogsObserver(client.process, started.pid, { maxLines: 100_000, notifyIntervalMs: 1 });
      let notifications = 0;
      const unsubscribe = observer.subscribe(() => notifications++);
      // `isOver` reads the status without building the lines.
      await until(() => observer.isOver, { intervalMs: 10, what: 'ended' });
      unsubscribe();
      const buffer = appends.mock.contexts[0] as LineBuffer;
      expect(appends.mock.contexts.every((context) => context === buffer)).toBe(true);
      expect(buffer.copiedLines).toBe(0);
      const { lines, total, dropped } = observer.getSnapshot();
      expect([lines.length, total, dropped]).toEqual([100_000, 100_000, 0]);
      expect(lines.map((line) => line.text)).toEqual(Array.from({ length: 100_000 }, (_, i) => `${i + 1}`));
      expect(buffer.copiedLines).toBe(100_000);
      expect(notifications).toBeGreaterThan(1);
    } finally {
      appends.mockRestore();
    }
  });

  it('gives a new snapshot for each change and the same one between, each with exactly the last maxLines lines', async () => {
    const { client } = countingClient();
    const started = await client.process.exec({
      command: 'for i in $(seq 1 20); do seq $(((i - 1) * 500 + 1)) $((i * 500)); sleep 0.01; done',
    });
    const observer = new LogsObserver(client.process, started.pid, { maxLines: 777, notifyIntervalMs: 1 });
    const snapshots: LogsState[] = [];
    let unstable = 0;
    const unsubscribe = observer.subscribe(() => {
      const snapshot = observer.getSnapshot();
      if (observer.getSnapshot() !== snapshot || observer.getSnapshot().lines !== snapshot.lines) unstable++;
      snapshots.push(snapshot);
    });
    await until(() => observer.isOver, { intervalMs: 10, what: 'ended' });
    unsubscribe();
    expect(unstable).toBe(0);
    expect(new Set(snapshots).size).toBe(snapshots.length);
    const withLines = snapshots.filter((snapshot) => snapshot.total > 0);
    expect(withLines.length).toBeGreaterThan(1);
    for (const { lines, total, dropped } of withLines) {
      expect(lines).toHaveLength(Math.min(777, total));
      expect(dropped).toBe(total - lines.length);
      expect(lines.map((line) => line.text)).toEqual(Array.from(lines, (_, i) => `${dropped + i + 1}`));
    }
    const last = observer.getSnapshot();
    expect(last).toBe(snapshots.at(-1));
    expect([last.status, last.lines.length, last.total, last.dropped]).toEqual(['ended', 777, 10_000, 9223]);
    expect(last.lines[0]!.text).toBe('9224');
  });

  it('shares one stream, closes it with the last subscriber and resumes from the cursor', async () => {
    const { client, count } = countingClient();
    const started = await client.process.exec({
      command: 'for i in $(seq 0 29); do echo "line $i"; sleep 0.05; done',
    });
    const path = `/process/${started.pid}/logs/stream`;
    const cache = new ObserverCache();
    const observer = cache.getLogsObserver(client, started.pid, { notifyIntervalMs: 10 });
    const first = observer.subscribe(() => {});
    const second = cache.getLogsObserver(client, started.pid).subscribe(() => {});
    await until(() => observer.getSnapshot().lines.length >= 5, { intervalMs: 10, what: 'five lines' });
    expect(count('GET', path)).toBe(1);
    first();
    second();
    await until(() => observer.getSnapshot().status === 'idle', { intervalMs: 10, what: 'idle' });
    const again = observer.subscribe(() => {});
    await until(() => observer.getSnapshot().status === 'ended', { intervalMs: 10, what: 'ended' });
    const texts = observer.getSnapshot().lines.map((line) => line.text);
    expect(texts).toEqual(Array.from({ length: 30 }, (_, i) => `line ${i}`));
    expect(observer.getSnapshot().dropped).toBe(0);
    expect(count('GET', path)).toBe(2);
    again();
  });
});

describe('observers stay with their process (local server)', () => {
  it('a process observer given a name polls by pid and never shows a later process with the name', async () => {
    const { client, count } = countingClient();
    const name = `pinned-${Date.now()}`;
    const first = await client.process.exec({ command: 'sleep 30', name });
    const observer = new ObserverCache().getProcessObserver(client, name, { intervalMs: 50 });
    const unsubscribe = observer.subscribe(() => {});
    await until(() => count('GET', `/process/${first.pid}`) >= 2, { intervalMs: 10, what: 'polls by pid' });
    expect(count('GET', `/process/${name}`)).toBe(1);
    await client.process.kill(first.pid);
    await until(() => observer.getSnapshot().data?.status === 'killed', { intervalMs: 10, what: 'killed' });
    const second = await client.process.exec({ command: 'sleep 30', name });
    expect(second.pid).not.toBe(first.pid);
    await expect(observer.refetch()).resolves.toMatchObject({ pid: first.pid, status: 'killed' });
    expect(observer.getSnapshot().data).toMatchObject({ pid: first.pid, status: 'killed' });
    expect(count('GET', `/process/${name}`)).toBe(1);
    unsubscribe();
    await client.process.kill(second.pid);
  });

  it('a logs observer given a name streams by pid and never shows the output of a later process with the name', async () => {
    const { client, count } = countingClient();
    const name = `pinned-logs-${Date.now()}`;
    const first = await client.process.exec({ command: 'while true; do echo first; sleep 0.05; done', name });
    const observer = new ObserverCache().getLogsObserver(client, name, { notifyIntervalMs: 10 });
    let unsubscribe = observer.subscribe(() => {});
    await until(() => observer.getSnapshot().lines.length >= 3, { intervalMs: 10, what: 'three lines' });
    expect(observer.pid).toBe(first.pid);
    expect(count('GET', `/process/${first.pid}/logs/stream`)).toBe(1);
    expect(count('GET', `/process/${name}/logs/stream`)).toBe(0);
    unsubscribe();
    await until(() => observer.getSnapshot().status === 'idle', { intervalMs: 10, what: 'idle' });
    await client.process.kill(first.pid);
    await client.process.wait(first.pid);
    const second = await client.process.exec({ command: 'while true; do echo second; sleep 0.05; done', name });
    unsubscribe = observer.subscribe(() => {});
    await until(() => observer.getSnapshot().status === 'ended', {
      intervalMs: 10,
      what: 'the first process output ended',
    });
    expect(observer.getSnapshot().lines.every((line) => line.text === 'first')).toBe(true);
    expect(count('GET', `/process/${first.pid}/logs/stream`)).toBe(2);
    unsubscribe();
    await client.process.kill(second.pid);
  });
});

describe('a name in the cache (local server)', () => {
  it('once its process is over, a look-up of the name gets a new observer, which finds the newest process', async () => {
    const { client } = countingClient();
    const cache = new ObserverCache();
    const name = `cache-reused-${Date.now()}`;
    const first = await client.process.exec({ command: 'echo first', name, waitForCompletion: true });
    const old = cache.getProcessObserver(client, name, { intervalMs: 20 });
    const oldLogs = cache.getLogsObserver(client, name, { notifyIntervalMs: 10 });
    const unsubscribe = [old.subscribe(() => {}), oldLogs.subscribe(() => {})];
    await until(() => old.getSnapshot().data?.status === 'completed' && oldLogs.getSnapshot().status === 'ended', {
      intervalMs: 10,
      what: 'the first process seen over',
    });
    // Over, though still watched: a look-up of the name gets a new observer.
    const second = await client.process.exec({ command: 'sleep 0.3; echo second', name });
    const running = cache.getProcessObserver(client, name);
    expect(running).not.toBe(old);
    unsubscribe.push(running.subscribe(() => {}));
    await until(() => running.getSnapshot().data !== undefined, { intervalMs: 10, what: 'the second process' });
    expect(running.pid).toBe(second.pid);
    expect(cache.getProcessObserver(client, name)).toBe(running);
    const logs = cache.getLogsObserver(client, name, { notifyIntervalMs: 10 });
    expect(logs).not.toBe(oldLogs);
    unsubscribe.push(logs.subscribe(() => {}));
    await until(() => logs.getSnapshot().status === 'ended', { intervalMs: 10, what: 'the second output' });
    expect(logs.getSnapshot().lines.map((line) => line.text)).toEqual(['second']);
    // The old observers stay with the first process.
    expect(old.getSnapshot().data).toMatchObject({ pid: first.pid, status: 'completed' });
    expect(oldLogs.getSnapshot().lines.map((line) => line.text)).toEqual(['first']);
    // A pid is not a name: its observer is kept.
    const byPid = cache.getProcessObserver(client, first.pid, { intervalMs: 20 });
    unsubscribe.push(byPid.subscribe(() => {}));
    await until(() => byPid.getSnapshot().data?.status === 'completed', {
      intervalMs: 10,
      what: 'the first process by pid',
    });
    expect(cache.getProcessObserver(client, first.pid)).toBe(byPid);
    for (const leave of unsubscribe) leave();
  });
});

describe('ExecController against the local server', () => {
  async function run(
    command: string,
    act?: (controller: ExecController) => Promise<unknown>,
  ): Promise<{ statuses: ExecStatus[]; process: ProcessInfo | undefined }> {
    const { client } = countingClient();
    const controller = new ExecController(client, { polling: { intervalMs: 50 } });
    const statuses: ExecStatus[] = [controller.getSnapshot().status];
    const unsubscribe = controller.subscribe(() => {
      const { status } = controller.getSnapshot();
      if (statuses.at(-1) !== status) statuses.push(status);
    });
    await controller.exec({ command });
    await act?.(controller);
    await until(() => !['starting', 'running'].includes(controller.getSnapshot().status), {
      intervalMs: 10,
      what: 'the end',
    });
    const { process } = controller.getSnapshot();
    unsubscribe();
    return { statuses, process };
  }

  it('follows a completing process', async () => {
    const { statuses, process } = await run('sleep 0.3; echo done');
    expect(statuses).toEqual(['idle', 'starting', 'running', 'completed']);
    expect(process?.exitCode).toBe(0);
  });

  it('follows a failing process', async () => {
    const { statuses, process } = await run('sleep 0.3; exit 7');
    expect(statuses).toEqual(['idle', 'starting', 'running', 'failed']);
    expect(process?.exitCode).toBe(7);
  });

  it('stops a process', async () => {
    const { statuses } = await run('sleep 30', (controller) => controller.stop());
    expect(statuses).toEqual(['idle', 'starting', 'running', 'stopped']);
  });

  it('kills a process', async () => {
    const { statuses } = await run('sleep 30', (controller) => controller.kill());
    expect(statuses).toEqual(['idle', 'starting', 'running', 'killed']);
  });

  it('goes to error when the start request fails, and back to idle on reset', async () => {
    const { client } = countingClient();
    const controller = new ExecController(client);
    await expect(controller.exec({ command: 'true', workingDir: '/no/such/dir' })).rejects.toThrow();
    expect(controller.getSnapshot().status).toBe('error');
    expect(controller.getSnapshot().error).toBeDefined();
    controller.reset();
    expect(controller.getSnapshot()).toEqual({ status: 'idle', phase: 'idle', process: undefined, error: undefined });
  });
});
