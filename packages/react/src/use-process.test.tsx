// @vitest-environment jsdom
import type { ProcessInfo } from '@sandproc/core';
import { act, cleanup, render, renderHook, waitFor } from '@testing-library/react';
import { createElement } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useProcess, useSandprocClient } from './index.js';
import {
  cacheFor,
  countPollFetches,
  countingClient,
  createGate,
  pushChange,
  useTestServer,
  wrapperFor,
} from './test-server.test-helper.js';

const context = useTestServer();
afterEach(cleanup);
const long = { timeout: 20_000 };

describe('useProcess', () => {
  it.each([
    ['completed', 'exit 0', 0, undefined],
    ['failed', 'exit 5', 5, undefined],
    ['stopped', 'sleep 30', -1, 'stop'],
    ['killed', 'sleep 30', -1, 'kill'],
  ] as const)('goes loading → running → %s', async (final, command, exitCode, action) => {
    const { client } = countingClient(context.server);
    // It runs until the test has seen it running (for the first two).
    const gate = createGate();
    const started = await client.process.exec({ command: action ? command : `${gate.wait} && ${command}` });
    const statuses: (string | undefined)[] = [];
    const onExit = vi.fn();
    const { result } = renderHook(
      () => {
        const state = useProcess(started.pid, { intervalMs: 50, onExit });
        pushChange(statuses, state.isLoading ? 'loading' : state.status);
        return state;
      },
      { wrapper: wrapperFor(client) },
    );
    expect(result.current).toMatchObject({ isLoading: true, status: undefined, exitCode: null });
    await waitFor(() => expect(result.current.status).toBe('running'), long);
    expect(result.current).toMatchObject({ isLoading: false, isPolling: true, exitCode: null });
    if (action === 'stop') await client.process.stop(started.pid);
    if (action === 'kill') await client.process.kill(started.pid);
    if (!action) await gate.open();
    await waitFor(() => expect(result.current.status).toBe(final), long);
    expect(result.current).toMatchObject({ exitCode, isPolling: false, error: undefined });
    expect(statuses).toEqual(['loading', 'running', final]);
    expect(onExit).toHaveBeenCalledTimes(1);
    expect(onExit.mock.calls[0]![0]).toMatchObject({ pid: started.pid, status: final });
  });

  it('makes one request under StrictMode, for two components', async () => {
    const { client, count } = countingClient(context.server);
    const started = await client.process.exec({ command: 'sleep 30' });
    function Watcher() {
      // A long interval: every request after the first would be a duplicate.
      const { status } = useProcess(started.pid, { intervalMs: 60_000 });
      return createElement('span', null, status ?? 'loading');
    }
    const view = render(createElement('div', null, createElement(Watcher), createElement(Watcher)), {
      wrapper: wrapperFor(client, true),
    });
    await waitFor(() => expect(view.container.textContent).toBe('runningrunning'), long);
    expect(count('GET', `/process/${started.pid}`)).toBe(1);
    view.unmount();
    await client.process.kill(started.pid);
  });

  it('ten components make one request per interval (counted against the shared poll)', async () => {
    const { client, count } = countingClient(context.server);
    const started = await client.process.exec({ command: 'sleep 30' });
    const path = `/process/${started.pid}`;
    const poll = countPollFetches(cacheFor(client).getProcessObserver(client, started.pid));
    function Watcher() {
      const { status } = useProcess(started.pid, { intervalMs: 50 });
      return createElement('span', null, status ?? 'loading');
    }
    const view = render(
      createElement('div', null, ...Array.from({ length: 10 }, (_, i) => createElement(Watcher, { key: i }))),
      { wrapper: wrapperFor(client, true) },
    );
    await waitFor(() => expect(count('GET', path)).toBeGreaterThanOrEqual(5), long);
    // Killed through another client: its requests are not counted here.
    await countingClient(context.server).client.process.kill(started.pid);
    await waitFor(() => expect(view.container.textContent).toBe('killed'.repeat(10)), long);
    expect(count('GET', path)).toBe(poll.fetches);
    poll.stop();
    view.unmount();
  });

  it('stops polling on unmount and when the id changes', async () => {
    const { client, count } = countingClient(context.server);
    const first = await client.process.exec({ command: 'sleep 30' });
    const second = await client.process.exec({ command: 'sleep 30' });
    const { result, rerender, unmount } = renderHook(({ id }) => useProcess(id, { intervalMs: 50 }), {
      wrapper: wrapperFor(client, true),
      initialProps: { id: first.pid },
    });
    await waitFor(() => expect(result.current.process?.pid).toBe(first.pid), long);
    rerender({ id: second.pid });
    expect(result.current.process?.pid).not.toBe(first.pid);
    await waitFor(() => expect(result.current.process?.pid).toBe(second.pid), long);
    const firstPolls = count('GET', `/process/${first.pid}`);
    await waitFor(() => expect(count('GET', `/process/${second.pid}`)).toBeGreaterThanOrEqual(3), long);
    // The old id is no longer polled while the new one is, several times over.
    expect(count('GET', `/process/${first.pid}`)).toBeLessThanOrEqual(firstPolls + 1);
    unmount();
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 0));
    });
    const afterUnmount = count('GET', `/process/${second.pid}`);
    await client.process.kill(first.pid);
    await client.process.kill(second.pid);
    // Another id, watched afresh, makes progress while the unmounted one does not.
    const third = await client.process.exec({ command: 'sleep 0.3' });
    const other = renderHook(() => useProcess(third.pid, { intervalMs: 50 }), { wrapper: wrapperFor(client) });
    await waitFor(() => expect(other.result.current.status).toBe('completed'), long);
    expect(count('GET', `/process/${second.pid}`)).toBeLessThanOrEqual(afterUnmount + 1);
    other.unmount();
  });

  it('reads callbacks of the latest render (never stale)', async () => {
    const { client } = countingClient(context.server);
    const gate = createGate();
    const started = await client.process.exec({ command: gate.wait });
    const calls: string[] = [];
    const { rerender, result } = renderHook(
      ({ tag }) =>
        useProcess(started.pid, {
          intervalMs: () => {
            calls.push(tag);
            return 50;
          },
          onExit: () => calls.push(`exit:${tag}`),
        }),
      { wrapper: wrapperFor(client), initialProps: { tag: 'first' } },
    );
    await waitFor(() => expect(calls).toContain('first'), long);
    rerender({ tag: 'second' });
    // The process runs until a poll after the rerender read the new function.
    await waitFor(() => expect(calls).toContain('second'), long);
    await gate.open();
    await waitFor(() => expect(result.current.status).toBe('completed'), long);
    expect(calls.at(-1)).toBe('exit:second');
  });

  it('calls onExit only for a process seen running first, not one that had already ended', async () => {
    const { client } = countingClient(context.server);
    const gate = createGate();
    const running = await client.process.exec({ command: gate.wait });
    const ended = await client.process.exec({ command: 'true', waitForCompletion: true });
    const later = await client.process.exec({ command: gate.wait });
    const onExit = vi.fn();
    const { result, rerender } = renderHook(({ id }) => useProcess(id, { intervalMs: 50, onExit }), {
      wrapper: wrapperFor(client, true),
      initialProps: { id: running.pid },
    });
    await waitFor(() => expect(result.current.status).toBe('running'), long);
    rerender({ id: ended.pid });
    await waitFor(
      () => expect(result.current).toMatchObject({ process: { pid: ended.pid }, status: 'completed' }),
      long,
    );
    // The effects of the render that showed it have run.
    expect(onExit).not.toHaveBeenCalled();
    rerender({ id: later.pid });
    await waitFor(() => expect(result.current).toMatchObject({ process: { pid: later.pid }, status: 'running' }), long);
    await gate.open();
    await waitFor(() => expect(result.current.status).toBe('completed'), long);
    expect(onExit).toHaveBeenCalledTimes(1);
    expect(onExit.mock.calls[0]![0]).toMatchObject({ pid: later.pid, status: 'completed' });
  });

  it('takes initialData into a process another component watches without updating it during render', async () => {
    const { client, count } = countingClient(context.server);
    const ended = await client.process.exec({ command: 'true', waitForCompletion: true });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      // A only listens (no request), so the observer has no data when B mounts with some.
      function A() {
        const { status } = useProcess(ended.pid, { enabled: false });
        return createElement('span', null, `A:${status ?? '-'} `);
      }
      function B() {
        const { status } = useProcess(ended.pid, { initialData: ended });
        return createElement('span', null, `B:${status ?? '-'}`);
      }
      function Page({ withB }: { withB: boolean }) {
        return createElement('div', null, createElement(A), withB ? createElement(B) : null);
      }
      const view = render(createElement(Page, { withB: false }), { wrapper: wrapperFor(client) });
      expect(view.container.textContent).toBe('A:- ');
      view.rerender(createElement(Page, { withB: true }));
      await waitFor(() => expect(view.container.textContent).toBe('A:completed B:completed'), long);
      expect(errors).not.toHaveBeenCalled();
      // Final initial data: no request.
      expect(count('GET', `/process/${ended.pid}`)).toBe(0);
    } finally {
      errors.mockRestore();
    }
  });

  it('enabled: false makes no request; refetch does', async () => {
    const { client, count } = countingClient(context.server);
    const started = await client.process.exec({ command: 'true', waitForCompletion: true });
    const { result } = renderHook(() => useProcess(started.pid, { enabled: false }), {
      wrapper: wrapperFor(client),
    });
    expect(result.current).toMatchObject({ isLoading: false, process: undefined });
    let answer: ProcessInfo | undefined;
    await act(async () => {
      answer = await result.current.refetch();
    });
    expect(answer?.status).toBe('completed');
    expect(result.current.status).toBe('completed');
    expect(count('GET', `/process/${started.pid}`)).toBe(1);
  });

  it('useSandprocClient returns the provider client and throws without one', () => {
    const { client } = countingClient(context.server);
    const { result } = renderHook(() => useSandprocClient(), { wrapper: wrapperFor(client) });
    expect(result.current).toBe(client);
    vi.spyOn(console, 'error').mockImplementation(() => {});
    expect(() => renderHook(() => useSandprocClient())).toThrow(/SandprocProvider/);
    vi.restoreAllMocks();
  });
});

describe('useProcess renders only for what the component reads', () => {
  it.each([
    ['a 304', true],
    ['a new equal body: a server without ETags, as the real sandbox-api', false],
  ])(
    'an unchanged poll (%s) renders a component that shows the status not at all, one that shows isFetching twice',
    async (_answer, entityTags) => {
      const { client, count } = countingClient(context.server, { entityTags });
      const started = await client.process.exec({ command: 'sleep 30' });
      const path = `/process/${started.pid}`;
      const renders = { status: 0, fetching: 0 };
      function StatusView() {
        renders.status++;
        const { status } = useProcess(started.pid, { intervalMs: 5 });
        return createElement('span', null, status ?? 'loading');
      }
      function FetchingView() {
        renders.fetching++;
        const { isFetching } = useProcess(started.pid, { intervalMs: 5 });
        return createElement('b', null, isFetching ? 'fetching' : 'idle');
      }
      const observer = cacheFor(client).getProcessObserver(client, started.pid);
      const view = render(createElement('div', null, createElement(StatusView), createElement(FetchingView)), {
        wrapper: wrapperFor(client),
      });
      await waitFor(() => expect(view.container.querySelector('span')!.textContent).toBe('running'), long);
      await waitFor(() => expect(count('GET', path)).toBeGreaterThanOrEqual(3), long);
      const data = observer.getSnapshot().data;
      const before = { ...renders, fetches: count('GET', path) };
      await waitFor(() => expect(count('GET', path)).toBeGreaterThanOrEqual(before.fetches + 30), long);
      // Let the last poll's renders land before counting.
      await act(async () => {});
      const polls = count('GET', path) - before.fetches;
      expect(observer.getSnapshot().data).toBe(data); // every answer was a 304 or kept as equal
      expect(renders.status - before.status).toBe(0);
      expect(renders.fetching - before.fetching).toBeGreaterThan(0);
      expect(renders.fetching - before.fetching).toBeLessThanOrEqual(2 * polls + 2);
      // A change the component reads still renders it.
      await client.process.kill(started.pid);
      await waitFor(() => expect(view.container.querySelector('span')!.textContent).toBe('killed'), long);
      view.unmount();
    },
  );
});

describe('useProcess stays with its process', () => {
  it('after a kill and a re-exec with the same name, shows the killed process, polled by pid', async () => {
    const { client, count } = countingClient(context.server);
    const name = `hook-pinned-${Date.now()}`;
    const first = await client.process.exec({ command: 'sleep 30', name });
    const { result, unmount } = renderHook(() => useProcess(name, { intervalMs: 50 }), {
      wrapper: wrapperFor(client, true),
    });
    await waitFor(() => expect(count('GET', `/process/${first.pid}`)).toBeGreaterThanOrEqual(2), long);
    expect(result.current.process?.pid).toBe(first.pid);
    await client.process.kill(first.pid);
    await waitFor(() => expect(result.current.status).toBe('killed'), long);
    const second = await client.process.exec({ command: 'sleep 30', name });
    await act(async () => {
      await result.current.refetch();
    });
    expect(result.current.process).toMatchObject({ pid: first.pid, status: 'killed' });
    expect(count('GET', `/process/${name}`)).toBe(1);
    // A hook that starts on the name now (same provider, the first hook still mounted) sees the
    // newest process with it; the first hook stays with the killed one.
    const late = renderHook(() => useProcess(name, { intervalMs: 50 }), { wrapper: wrapperFor(client, true) });
    await waitFor(() => expect(late.result.current.process?.pid).toBe(second.pid), long);
    expect(late.result.current.status).toBe('running');
    expect(result.current.process).toMatchObject({ pid: first.pid, status: 'killed' });
    late.unmount();
    unmount();
    await client.process.kill(second.pid);
  });

  it('retry requests at once after errors', async () => {
    const { client, count } = countingClient(context.server);
    const { result, unmount } = renderHook(() => useProcess('no-such-process-for-retry', { intervalMs: 60_000 }), {
      wrapper: wrapperFor(client),
    });
    await waitFor(() => expect(result.current.failureCount).toBe(1), long);
    expect((result.current.error as { kind?: string }).kind).toBe('not-found');
    await act(async () => {
      await result.current.retry();
    });
    expect(count('GET', '/process/no-such-process-for-retry')).toBe(2);
    expect(result.current.failureCount).toBe(1);
    unmount();
  });
});
