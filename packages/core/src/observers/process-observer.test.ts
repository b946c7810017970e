import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fakeProcessApi, processInfo } from './fake-process-api.test-helper.js';
import { ObserverCache } from './observer-cache.js';
import { ProcessObserver, isProcessSettled } from './process-observer.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Lets the activation microtask and a 0 ms timer run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

describe('ProcessObserver', () => {
  it('does nothing until subscribed', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100');
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.getCalls).toBe(0);
    expect(observer.getSnapshot().data).toBeUndefined();
  });

  it('polls at the interval while running and stops at a terminal status', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100', { intervalMs: 500 });
    const unsubscribe = observer.subscribe(() => {});
    await settle();
    expect(state.getCalls).toBe(1);
    expect(observer.getSnapshot()).toMatchObject({ isPolling: true, isFetching: false });
    expect(observer.getSnapshot().data?.status).toBe('running');
    await vi.advanceTimersByTimeAsync(499);
    expect(state.getCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.getCalls).toBe(2);
    state.status = 'completed';
    await vi.advanceTimersByTimeAsync(500);
    expect(state.getCalls).toBe(3);
    expect(observer.getSnapshot()).toMatchObject({ isPolling: false });
    expect(observer.getSnapshot().data?.status).toBe('completed');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.getCalls).toBe(3);
    unsubscribe();
  });

  it('keeps the same snapshot object until something changes', async () => {
    const { api } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100');
    const first = observer.getSnapshot();
    expect(observer.getSnapshot()).toBe(first);
    const unsubscribe = observer.subscribe(() => {});
    await settle();
    const second = observer.getSnapshot();
    expect(second).not.toBe(first);
    expect(observer.getSnapshot()).toBe(second);
    unsubscribe();
  });

  it('takes the interval from a function of the last state, and stops on false', async () => {
    const { api, state } = fakeProcessApi();
    const seen: (string | undefined)[] = [];
    const observer = new ProcessObserver(api, '100', {
      intervalMs: (process) => {
        seen.push(process?.status);
        return state.getCalls >= 3 ? false : 200 * state.getCalls;
      },
    });
    const unsubscribe = observer.subscribe(() => {});
    await settle();
    expect(state.getCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(200);
    expect(state.getCalls).toBe(2);
    await vi.advanceTimersByTimeAsync(399);
    expect(state.getCalls).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(state.getCalls).toBe(3);
    expect(observer.getSnapshot().isPolling).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.getCalls).toBe(3);
    expect(seen).toEqual(['running', 'running', 'running']);
    unsubscribe();
  });

  it('backs off on errors and resumes the interval when they clear', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100', { intervalMs: 1000, maxBackoffMs: 4000 });
    state.failWith = new Error('down');
    const unsubscribe = observer.subscribe(() => {});
    await settle();
    expect(state.getCalls).toBe(1);
    expect(observer.getSnapshot()).toMatchObject({ failureCount: 1, isPolling: true });
    expect(observer.getSnapshot().error).toBe(state.failWith);
    // 1 s, 2 s, 4 s, 4 s (capped).
    const delays = [1000, 2000, 4000, 4000];
    for (const [step, delay] of delays.entries()) {
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(state.getCalls).toBe(step + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(state.getCalls).toBe(step + 2);
    }
    state.failWith = undefined;
    await vi.advanceTimersByTimeAsync(4000);
    expect(state.getCalls).toBe(6);
    expect(observer.getSnapshot()).toMatchObject({ error: undefined, failureCount: 0 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.getCalls).toBe(7);
    unsubscribe();
  });

  it('retry forgets the backoff: it requests at once and polls on at the plain interval', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100', { intervalMs: 1000, maxBackoffMs: 60_000 });
    state.failWith = new Error('down');
    const unsubscribe = observer.subscribe(() => {});
    await settle();
    await vi.advanceTimersByTimeAsync(1000 + 2000 + 4000);
    expect(state.getCalls).toBe(4);
    expect(observer.getSnapshot().failureCount).toBe(4);
    // Without retry the next request would wait 8 s.
    await expect(observer.retry()).resolves.toBeUndefined();
    expect(state.getCalls).toBe(5);
    expect(observer.getSnapshot()).toMatchObject({ failureCount: 1, error: state.failWith });
    state.failWith = undefined;
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.getCalls).toBe(6);
    expect(observer.getSnapshot()).toMatchObject({ failureCount: 0, error: undefined, data: { status: 'running' } });
    unsubscribe();
  });

  it('polls by pid after first contact with a name, and ignores another process given the name', async () => {
    const { api } = fakeProcessApi();
    const asked: string[] = [];
    const first = processInfo({ pid: '7', name: 'job', startedAt: new Date(1000) });
    api.get = async (id) => {
      asked.push(id);
      return first;
    };
    const observer = new ProcessObserver(api, 'job', { intervalMs: 100 });
    const unsubscribe = observer.subscribe(() => {});
    await settle();
    await vi.advanceTimersByTimeAsync(100);
    expect(asked).toEqual(['job', '7']);
    expect(observer.pid).toBe('7');
    observer.receive(processInfo({ pid: '8', name: 'job', startedAt: new Date(500) }));
    expect(observer.getSnapshot().data).toBe(first);
    unsubscribe();
  });

  it('reports a pid that now belongs to another process as not found, keeps the last state and stops', async () => {
    const { api } = fakeProcessApi();
    let answer = processInfo({ pid: '7', name: 'job', startedAt: new Date(1000) });
    let calls = 0;
    api.get = async () => {
      calls++;
      return answer;
    };
    const observer = new ProcessObserver(api, '7', { intervalMs: 100 });
    const unsubscribe = observer.subscribe(() => {});
    await settle();
    const seen = observer.getSnapshot().data;
    // A restart of the same process (same pid and name, later start, one more restart) is followed.
    answer = processInfo({ pid: '7', name: 'job', startedAt: new Date(2000), restartCount: 1 });
    await vi.advanceTimersByTimeAsync(100);
    expect(observer.getSnapshot().data).toEqual(answer);
    // The operating system gave the pid to another process.
    answer = processInfo({ pid: '7', name: 'other', startedAt: new Date(3000) });
    await vi.advanceTimersByTimeAsync(100);
    const snapshot = observer.getSnapshot();
    expect(snapshot.data).not.toEqual(answer);
    expect(snapshot.data).not.toBe(seen);
    expect(snapshot.data?.name).toBe('job');
    expect((snapshot.error as { kind?: string }).kind).toBe('not-found');
    expect(snapshot.isPolling).toBe(false);
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls).toBe(3);
    unsubscribe();
  });

  it.each([
    // Never faster than the interval, even when maxBackoffMs is below it.
    [{ intervalMs: 2000, maxBackoffMs: 300 }, [2000, 2000, 2000]],
    // The first retry waits the interval, then it doubles.
    [{ intervalMs: 50 }, [50, 100, 200, 400]],
    [{ intervalMs: 50, maxBackoffMs: 150 }, [50, 100, 150, 150]],
  ])('backs off from the interval with %o', async (options, delays) => {
    const { api, state } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100', options);
    state.failWith = new Error('down');
    const unsubscribe = observer.subscribe(() => {});
    await settle();
    expect(state.getCalls).toBe(1);
    for (const [step, delay] of delays.entries()) {
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(state.getCalls).toBe(step + 1);
      await vi.advanceTimersByTimeAsync(1);
      expect(state.getCalls).toBe(step + 2);
    }
    unsubscribe();
  });

  it('does not retry a failing request in a loop with an interval of 0', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100', { intervalMs: 0, maxBackoffMs: 1000 });
    state.failWith = new Error('down');
    const unsubscribe = observer.subscribe(() => {});
    await settle();
    await vi.advanceTimersByTimeAsync(2000);
    // 1 + 2 + 4 + … + 512 ms, then every 1000 ms: about a dozen, not thousands.
    expect(state.getCalls).toBeLessThan(15);
    unsubscribe();
  });

  it('setInitialData seeds an observer without data and tells its subscribers only after the call', async () => {
    const { api } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100', { intervalMs: 60_000 });
    const listener = vi.fn();
    const unsubscribe = observer.subscribe(listener, { activate: false });
    const initial = processInfo({ status: 'completed' });
    observer.setInitialData(initial);
    expect(observer.getSnapshot().data).toBe(initial);
    expect(listener).not.toHaveBeenCalled();
    await Promise.resolve();
    expect(listener).toHaveBeenCalledTimes(1);
    // Data already there is never replaced.
    observer.setInitialData(processInfo({ status: 'failed' }));
    expect(observer.getSnapshot().data).toBe(initial);
    unsubscribe();
  });

  it('shares one poll between subscribers and stops with the last unsubscribe', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100', { intervalMs: 1000 });
    const unsubscribes = Array.from({ length: 10 }, () => observer.subscribe(() => {}));
    await settle();
    await vi.advanceTimersByTimeAsync(3000);
    expect(state.getCalls).toBe(4);
    for (const unsubscribe of unsubscribes.slice(1)) unsubscribe();
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.getCalls).toBe(5);
    unsubscribes[0]!();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(state.getCalls).toBe(5);
    expect(observer.getSnapshot().isPolling).toBe(false);
  });

  it('polls once when subscribed, unsubscribed and subscribed again in one tick (StrictMode)', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100', { intervalMs: 1000 });
    const first = observer.subscribe(() => {});
    first();
    const second = observer.subscribe(() => {});
    await settle();
    expect(state.getCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.getCalls).toBe(2);
    second();
  });

  it('notifies every subscriber of every change', async () => {
    const { api } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100');
    const a = vi.fn();
    const b = vi.fn();
    const offA = observer.subscribe(a);
    const offB = observer.subscribe(b);
    await settle();
    expect(a).toHaveBeenCalled();
    expect(b).toHaveBeenCalledTimes(a.mock.calls.length);
    offA();
    offB();
  });

  it('makes no request for settled initial data', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100', {
      initialData: processInfo({ status: 'completed' }),
    });
    const unsubscribe = observer.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.getCalls).toBe(0);
    expect(observer.getSnapshot().isPolling).toBe(false);
    unsubscribe();
  });

  it('refetch requests at once, joins a request in flight, and works unsubscribed', async () => {
    const { api, state } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100');
    const a = observer.refetch();
    const b = observer.refetch();
    expect(a).toBe(b);
    await expect(a).resolves.toMatchObject({ status: 'running' });
    expect(state.getCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.getCalls).toBe(1);
  });

  it('ignores answers overtaken by a settled state', async () => {
    const { api } = fakeProcessApi();
    const observer = new ProcessObserver(api, '100');
    observer.receive(processInfo({ status: 'stopped', exitCode: -1 }));
    await observer.refetch();
    expect(observer.getSnapshot().data?.status).toBe('stopped');
  });

  it('pauses while the page is hidden when asked to', async () => {
    const { api, state } = fakeProcessApi();
    let visibility: DocumentVisibilityState = 'visible';
    const target = new EventTarget();
    vi.stubGlobal('document', {
      get visibilityState() {
        return visibility;
      },
      addEventListener: target.addEventListener.bind(target),
      removeEventListener: target.removeEventListener.bind(target),
    });
    try {
      const observer = new ProcessObserver(api, '100', { intervalMs: 1000, pauseWhenHidden: true });
      const unsubscribe = observer.subscribe(() => {});
      await settle();
      expect(state.getCalls).toBe(1);
      visibility = 'hidden';
      target.dispatchEvent(new Event('visibilitychange'));
      await vi.advanceTimersByTimeAsync(10_000);
      expect(state.getCalls).toBe(1);
      expect(observer.getSnapshot().isPolling).toBe(false);
      visibility = 'visible';
      target.dispatchEvent(new Event('visibilitychange'));
      await settle();
      expect(state.getCalls).toBe(2);
      expect(observer.getSnapshot().isPolling).toBe(true);
      unsubscribe();
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('isProcessSettled', () => {
  it('counts failed with restarts left as not settled', () => {
    expect(isProcessSettled(processInfo({ status: 'running' }))).toBe(false);
    expect(isProcessSettled(processInfo({ status: 'completed' }))).toBe(true);
    expect(isProcessSettled(processInfo({ status: 'failed' }))).toBe(true);
    const restarting = { status: 'failed' as const, restartOnFailure: true, maxRestarts: 2 };
    expect(isProcessSettled(processInfo({ ...restarting, restartCount: 1 }))).toBe(false);
    expect(isProcessSettled(processInfo({ ...restarting, restartCount: 2 }))).toBe(true);
    expect(isProcessSettled(processInfo({ ...restarting, maxRestarts: -1, restartCount: 9 }))).toBe(false);
  });
});

describe('ObserverCache', () => {
  it('seeds initialData into an existing observer without notifying during the call', async () => {
    const { api } = fakeProcessApi();
    const client = { process: api };
    const cache = new ObserverCache();
    const observer = cache.getProcessObserver(client, '1');
    const listener = vi.fn();
    const unsubscribe = observer.subscribe(listener, { activate: false });
    const initial = processInfo({ pid: '1', status: 'completed' });
    // What a component mounting with initialData next to one already watching does, in render.
    expect(cache.getProcessObserver(client, '1', { initialData: initial })).toBe(observer);
    expect(listener).not.toHaveBeenCalled();
    expect(observer.getSnapshot().data).toBe(initial);
    await Promise.resolve();
    expect(listener).toHaveBeenCalledTimes(1);
    expect(
      cache.getProcessObserver(client, '1', { initialData: processInfo({ status: 'failed' }) }).getSnapshot().data,
    ).toBe(initial);
    unsubscribe();
  });

  it('unrefs its cleanup timer so that it keeps no process alive', async () => {
    const unref = vi.fn();
    const { api } = fakeProcessApi();
    const observer = new ObserverCache().getProcessObserver({ process: api }, '1', {
      initialData: processInfo({ status: 'completed' }),
    });
    const unsubscribe = observer.subscribe(() => {});
    await Promise.resolve();
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout').mockImplementation((() => ({ unref })) as never);
    const clearTimeoutSpy = vi.spyOn(globalThis, 'clearTimeout').mockImplementation(() => {});
    try {
      unsubscribe();
      await Promise.resolve();
      expect(setTimeoutSpy).toHaveBeenCalled();
      expect(unref).toHaveBeenCalled();
    } finally {
      setTimeoutSpy.mockRestore();
      clearTimeoutSpy.mockRestore();
    }
  });

  it('shares one observer per client and id, and drops it when idle for gcTimeMs', async () => {
    const { api } = fakeProcessApi();
    const client = { process: api };
    const other = { process: api };
    const cache = new ObserverCache({ gcTimeMs: 1000 });
    const getProcessObserver = cache.getProcessObserver.bind(cache);
    const observer = getProcessObserver(client, '1');
    expect(getProcessObserver(client, '1')).toBe(observer);
    expect(getProcessObserver(client, '2')).not.toBe(observer);
    expect(getProcessObserver(other, '1')).not.toBe(observer);
    const unsubscribe = observer.subscribe(() => {});
    await vi.advanceTimersByTimeAsync(5000);
    expect(getProcessObserver(client, '1')).toBe(observer);
    unsubscribe();
    await vi.advanceTimersByTimeAsync(999);
    expect(getProcessObserver(client, '1')).toBe(observer);
    await vi.advanceTimersByTimeAsync(1);
    expect(getProcessObserver(client, '1')).not.toBe(observer);
    expect(new ObserverCache().getProcessObserver(client, '2')).not.toBe(getProcessObserver(client, '2'));
  });

  it('creates no timer for an observer nobody watched, and drops it at a later lookup after gcTimeMs', async () => {
    const { api } = fakeProcessApi();
    const client = { process: api };
    const cache = new ObserverCache({ gcTimeMs: 1000 });
    const timers = vi.spyOn(globalThis, 'setTimeout');
    const unwatched = cache.getProcessObserver(client, '1');
    expect(timers).not.toHaveBeenCalled();
    timers.mockRestore();
    await vi.advanceTimersByTimeAsync(999);
    cache.getProcessObserver(client, '2');
    expect(cache.getProcessObserver(client, '1')).toBe(unwatched);
    await vi.advanceTimersByTimeAsync(1);
    cache.getProcessObserver(client, '3');
    expect(cache.size(client)).toBe(2);
    expect(cache.getProcessObserver(client, '1')).not.toBe(unwatched);
  });
});
