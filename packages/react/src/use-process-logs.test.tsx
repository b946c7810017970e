// @vitest-environment jsdom
import type { SandprocClient } from '@sandproc/core';
import { act, cleanup, render, renderHook, waitFor } from '@testing-library/react';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { useProcessLogs } from './index.js';
import {
  cacheFor,
  countingClient,
  createGate,
  pushChange,
  useTestServer,
  wrapperFor,
} from './test-server.test-helper.js';

const context = useTestServer();
afterEach(cleanup);
const long = { timeout: 20_000 };

/** Renders `useProcessLogs(pid)` (notified every 10 ms), recording each status it goes through. */
function renderLogs(client: SandprocClient, pid: string, strict: boolean) {
  const statuses: string[] = [];
  const { result } = renderHook(
    () => {
      const logs = useProcessLogs(pid, { notifyIntervalMs: 10 });
      pushChange(statuses, logs.status);
      return logs;
    },
    { wrapper: wrapperFor(client, strict) },
  );
  return { result, statuses };
}

describe('useProcessLogs', () => {
  it('goes idle → connecting → streaming → ended with one stream under StrictMode', async () => {
    const { client, count } = countingClient(context.server);
    const started = await client.process.exec({
      command: 'for i in 1 2 3 4 5; do echo "out $i"; sleep 0.05; done; echo bye >&2',
    });
    const { result, statuses } = renderLogs(client, started.pid, true);
    await waitFor(() => expect(result.current.status).toBe('ended'), long);
    expect(statuses).toEqual(['idle', 'connecting', 'streaming', 'ended']);
    expect(result.current.text).toBe('out 1\nout 2\nout 3\nout 4\nout 5\nbye');
    expect(result.current.lines.at(-1)).toEqual({ stream: 'stderr', text: 'bye', index: 5 });
    expect(result.current).toMatchObject({ dropped: 0, error: undefined });
    expect(count('GET', `/process/${started.pid}/logs/stream`)).toBe(1);
  });

  it.each([
    ['completed', 'echo start; sleep 0.3; echo end', undefined, 'start\nend'],
    ['failed', 'echo start; sleep 0.3; echo oops >&2; exit 4', undefined, 'start\noops'],
    ['stopped', 'echo start; sleep 30', 'stop', 'start'],
    ['killed', 'echo start; sleep 30', 'kill', 'start'],
  ] as const)('follows a %s process to the end of its output', async (_final, command, action, text) => {
    const { client } = countingClient(context.server);
    const started = await client.process.exec({ command });
    const { result, statuses } = renderLogs(client, started.pid, false);
    await waitFor(() => expect(result.current.text).toContain('start'), long);
    if (action === 'stop') await client.process.stop(started.pid);
    if (action === 'kill') await client.process.kill(started.pid);
    await waitFor(() => expect(result.current.status).toBe('ended'), long);
    expect(statuses).toEqual(['idle', 'connecting', 'streaming', 'ended']);
    expect(result.current.text).toBe(text);
  });

  it('renders in batches: 50,000 lines make far fewer renders', async () => {
    const { client } = countingClient(context.server);
    const started = await client.process.exec({ command: 'seq 1 50000' });
    let renders = 0;
    const { result } = renderHook(
      () => {
        renders++;
        return useProcessLogs(started.pid, { maxLines: 1000 });
      },
      { wrapper: wrapperFor(client) },
    );
    await waitFor(() => expect(result.current.status).toBe('ended'), long);
    expect(result.current.lines).toHaveLength(1000);
    expect(result.current.dropped).toBe(49_000);
    expect(result.current.lines.at(-1)?.text).toBe('50000');
    expect(renders).toBeLessThan(1000);
  });

  it('shares one stream between components and closes it when the last unmounts', async () => {
    const { client, count } = countingClient(context.server);
    const started = await client.process.exec({ command: 'while true; do echo tick; sleep 0.05; done' });
    const path = `/process/${started.pid}/logs/stream`;
    const a = renderHook(() => useProcessLogs(started.pid), { wrapper: wrapperFor(client, true) });
    const b = renderHook(() => useProcessLogs(started.pid), { wrapper: wrapperFor(client, true) });
    await waitFor(() => expect(b.result.current.lines.length).toBeGreaterThanOrEqual(3), long);
    expect(count('GET', path)).toBe(1);
    a.unmount();
    const observer = cacheFor(client).getLogsObserver(client, started.pid);
    await waitFor(() => expect(observer.getSnapshot().lines.length).toBeGreaterThanOrEqual(6), long);
    expect(observer.getSnapshot().status).toBe('streaming');
    b.unmount();
    await waitFor(() => expect(observer.getSnapshot().status).toBe('idle'), long);
    expect(count('GET', path)).toBe(1);
    await client.process.kill(started.pid);
  });

  it('a thousand components on one process share one stream, and only those with onLine listen to every line', async () => {
    const { client, count } = countingClient(context.server);
    const started = await client.process.exec({ command: 'seq 1 20000' });
    const observer = cacheFor(client).getLogsObserver(client, started.pid);
    // Counts the per-line listeners the hooks add (each one is called for every line of the output).
    const onRecord = observer.onRecord.bind(observer);
    let listeners = 0;
    observer.onRecord = (listener) => {
      listeners++;
      return onRecord(listener);
    };
    const seen: string[] = [];
    function Lines({ listen }: { listen: boolean }) {
      const logs = useProcessLogs(started.pid, {
        notifyIntervalMs: 50,
        ...(listen && { onLine: (line) => seen.push(line.text) }),
      });
      return createElement('i', null, `${logs.status}:${logs.lines.length};`);
    }
    const Wrapper = wrapperFor(client, true);
    const components = Array.from({ length: 1000 }, (_, index) =>
      createElement(Lines, { key: index, listen: index === 0 }),
    );
    const view = render(createElement(Wrapper, null, components));
    await waitFor(() => expect(view.container.textContent).toBe('ended:10000;'.repeat(1000)), long);
    expect(seen).toHaveLength(20000);
    expect(seen.at(-1)).toBe('20000');
    expect(listeners).toBeLessThanOrEqual(2); // StrictMode runs the one listening effect twice
    expect(count('GET', `/process/${started.pid}/logs/stream`)).toBe(1);
    view.unmount();
  });

  it('closes the old stream when the id changes', async () => {
    const { client } = countingClient(context.server);
    const first = await client.process.exec({ command: 'while true; do echo first; sleep 0.05; done' });
    const second = await client.process.exec({ command: 'while true; do echo second; sleep 0.05; done' });
    const { result, rerender, unmount } = renderHook(({ id }) => useProcessLogs(id), {
      wrapper: wrapperFor(client),
      initialProps: { id: first.pid },
    });
    await waitFor(() => expect(result.current.lines.length).toBeGreaterThan(0), long);
    rerender({ id: second.pid });
    expect(result.current.lines.every((line) => line.text === 'second')).toBe(true);
    await waitFor(() => expect(result.current.lines.length).toBeGreaterThan(0), long);
    await waitFor(
      () => expect(cacheFor(client).getLogsObserver(client, first.pid).getSnapshot().status).toBe('idle'),
      long,
    );
    expect(result.current.lines.every((line) => line.text === 'second')).toBe(true);
    unmount();
    await client.process.kill(first.pid);
    await client.process.kill(second.pid);
  });

  it('bounds, filters and clears the lines', async () => {
    const { client } = countingClient(context.server);
    const started = await client.process.exec({
      command: 'for i in $(seq 1 50); do echo "o$i"; echo "e$i" >&2; done',
      waitForCompletion: true,
    });
    const { result } = renderHook(
      () => ({
        all: useProcessLogs(started.pid, { maxLines: 10 }),
        errors: useProcessLogs(started.pid, { stream: 'stderr', maxLines: 5 }),
      }),
      { wrapper: wrapperFor(client) },
    );
    await waitFor(() => expect(result.current.all.status).toBe('ended'), long);
    expect(result.current.all.lines).toHaveLength(10);
    expect(result.current.all.dropped).toBe(90);
    expect(result.current.all.lines.map((line) => line.index)).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    // The buffer (10 lines, both streams) is shared: the filter shows the stderr lines among them.
    const errors = result.current.errors.lines;
    expect(errors.length).toBeLessThanOrEqual(5);
    expect(errors.every((line) => line.stream === 'stderr')).toBe(true);
    act(() => result.current.all.clear());
    expect(result.current.all.lines).toHaveLength(0);
    expect(result.current.all.text).toBe('');
    expect(result.current.all.dropped).toBe(0);
    // Clearing is local to the component.
    expect(result.current.errors.lines).toEqual(errors);
  });

  it('filters one stream, in order', async () => {
    const { client } = countingClient(context.server);
    const started = await client.process.exec({
      command: 'for i in $(seq 1 50); do echo "o$i"; echo "e$i" >&2; done',
      waitForCompletion: true,
    });
    const { result } = renderHook(() => useProcessLogs(started.pid, { stream: 'stderr' }), {
      wrapper: wrapperFor(client),
    });
    await waitFor(() => expect(result.current.status).toBe('ended'), long);
    expect(result.current.lines.map((line) => line.text)).toEqual(Array.from({ length: 50 }, (_, i) => `e${i + 1}`));
    expect(result.current.dropped).toBe(0);
  });

  it('with follow: false keeps the lines it has while the status moves on', async () => {
    const { client } = countingClient(context.server);
    // 'b' comes only once the test stopped following.
    const gate = createGate();
    const started = await client.process.exec({ command: `echo a; ${gate.wait} && echo b` });
    const { result, rerender } = renderHook(({ follow }) => useProcessLogs(started.pid, { follow }), {
      wrapper: wrapperFor(client),
      initialProps: { follow: true },
    });
    await waitFor(() => expect(result.current.text).toBe('a'), long);
    rerender({ follow: false });
    await gate.open();
    await waitFor(() => expect(result.current.status).toBe('ended'), long);
    expect(result.current.text).toBe('a');
    rerender({ follow: true });
    expect(result.current.text).toBe('a\nb');
  });

  it('reports an error for an unknown process', async () => {
    const { client } = countingClient(context.server);
    const { result } = renderHook(() => useProcessLogs('no-such-process'), { wrapper: wrapperFor(client) });
    await waitFor(() => expect(result.current.status).toBe('error'), long);
    expect(result.current.error).toBeDefined();
  });
});

describe('useProcessLogs reconnect', () => {
  it('recovers from a failed stream without a remount', async () => {
    const { client } = countingClient(context.server);
    const name = `logs-later-${Date.now()}`;
    // The observer the hook will hold (a look-up once the output ended would give a new one).
    const observer = cacheFor(client).getLogsObserver(client, name);
    const { result, unmount } = renderHook(() => useProcessLogs(name, { notifyIntervalMs: 10 }), {
      wrapper: wrapperFor(client),
    });
    // No process has the name yet: the lookup fails for good.
    await waitFor(() => expect(result.current.status).toBe('error'), long);
    expect((result.current.error as { kind?: string }).kind).toBe('not-found');
    const started = await client.process.exec({ command: 'echo hello; echo world', name, waitForCompletion: true });
    act(() => result.current.reconnect());
    await waitFor(() => expect(result.current.status).toBe('ended'), long);
    expect(result.current.text).toBe('hello\nworld');
    expect(result.current.error).toBeUndefined();
    expect(observer.pid).toBe(started.pid);
    unmount();
  });
});

describe('useProcessLogs on a name reused', () => {
  it('a hook that starts on a name sees its newest process; a hook that started before stays with its own', async () => {
    const { client } = countingClient(context.server);
    const wrapper = wrapperFor(client);
    const name = `logs-reused-${Date.now()}`;
    await client.process.exec({ command: 'echo first', name, waitForCompletion: true });
    const early = renderHook(() => useProcessLogs(name, { notifyIntervalMs: 10 }), { wrapper });
    await waitFor(() => expect(early.result.current.status).toBe('ended'), long);
    expect(early.result.current.text).toBe('first');
    await client.process.exec({ command: 'echo second', name, waitForCompletion: true });
    // Mounted while the early hook still shows the first process (same provider, same cache).
    const late = renderHook(() => useProcessLogs(name, { notifyIntervalMs: 10 }), { wrapper });
    await waitFor(() => expect(late.result.current.status).toBe('ended'), long);
    expect(late.result.current.text).toBe('second');
    early.rerender();
    expect(early.result.current.text).toBe('first');
    early.unmount();
    late.unmount();
  });
});
