// @vitest-environment jsdom
import type { LogRecord, ProcessInfo } from '@sandproc/core';
import { act, cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useExec } from './index.js';
import { countingClient, createGate, pushChange, useTestServer, wrapperFor } from './test-server.test-helper.js';

const context = useTestServer();
afterEach(cleanup);
const long = { timeout: 20_000 };

describe('useExec', () => {
  it.each([
    ['completed', 'echo done', 0, undefined],
    ['failed', 'exit 9', 9, undefined],
    ['stopped', 'sleep 30', -1, 'stop'],
    ['killed', 'sleep 30', -1, 'kill'],
  ] as const)('goes idle → starting → running → %s', async (final, finalCommand, exitCode, action) => {
    const { client } = countingClient(context.server);
    // It runs until the test has seen it running (for the first two).
    const gate = createGate();
    const command = action ? finalCommand : `${gate.wait} && ${finalCommand}`;
    const statuses: string[] = [];
    const onExit = vi.fn();
    const { result } = renderHook(
      () => {
        const state = useExec({ polling: { intervalMs: 50 }, onExit });
        pushChange(statuses, state.status);
        return state;
      },
      { wrapper: wrapperFor(client, true) },
    );
    expect(result.current).toMatchObject({ status: 'idle', process: undefined, error: undefined });
    let starting: Promise<ProcessInfo> | undefined;
    // A synchronous act first, so the `starting` render is flushed before the answer arrives.
    act(() => {
      starting = result.current.exec({ command });
    });
    expect(result.current.status).toBe('starting');
    let started: ProcessInfo | undefined;
    await act(async () => {
      started = await starting;
    });
    expect(started?.status).toBe('running');
    expect(result.current.process?.pid).toBe(started?.pid);
    if (action) {
      await act(async () => {
        await result.current[action]();
      });
    } else {
      await gate.open();
    }
    await waitFor(() => expect(result.current.status).toBe(final), long);
    expect(result.current.process).toMatchObject({ status: final, exitCode });
    expect(statuses).toEqual(['idle', 'starting', 'running', final]);
    expect(onExit).toHaveBeenCalledTimes(1);
    expect(onExit.mock.calls[0]![0]).toMatchObject({ status: final });
    act(() => result.current.reset());
    expect(result.current).toMatchObject({ status: 'idle', process: undefined });
  });

  it('goes to error when the start request fails, and exec rejects', async () => {
    const { client } = countingClient(context.server);
    const { result } = renderHook(() => useExec(), { wrapper: wrapperFor(client) });
    let failure: unknown;
    await act(async () => {
      await result.current.exec({ command: 'true', workingDir: '/no/such/folder' }).catch((error: unknown) => {
        failure = error;
      });
    });
    expect(failure).toBeDefined();
    expect(result.current.status).toBe('error');
    expect(result.current.error).toBe(failure);
  });

  it('streams the logs of the started process and calls the latest onLine', async () => {
    const { client, count } = countingClient(context.server);
    const seen: string[] = [];
    const { result, rerender } = renderHook(
      ({ tag }) =>
        useExec({
          logs: { notifyIntervalMs: 10 },
          onLine: (line: LogRecord) => seen.push(`${tag}:${line.text}`),
        }),
      { wrapper: wrapperFor(client, true), initialProps: { tag: 'a' } },
    );
    expect(result.current.logs.status).toBe('idle');
    rerender({ tag: 'b' });
    let pid = '';
    await act(async () => {
      pid = (await result.current.exec({ command: 'sleep 0.2; echo one; sleep 0.05; echo two >&2; sleep 0.2' })).pid;
    });
    await waitFor(() => expect(result.current.logs.status).toBe('ended'), long);
    expect(result.current.logs.lines.map((line) => [line.stream, line.text])).toEqual([
      ['stdout', 'one'],
      ['stderr', 'two'],
    ]);
    expect(result.current.logs.text).toBe('one\ntwo');
    expect(seen).toEqual(['b:one', 'b:two']);
    // StrictMode's doubled effects still opened one stream.
    expect(count('GET', `/process/${pid}/logs/stream`)).toBe(1);
  });

  it('makes no update after an unmount while starting', async () => {
    const { client, count } = countingClient(context.server);
    let renders = 0;
    const { result, unmount } = renderHook(
      () => {
        renders++;
        return useExec({ polling: { intervalMs: 50 } });
      },
      { wrapper: wrapperFor(client) },
    );
    let starting: Promise<ProcessInfo> | undefined;
    act(() => {
      starting = result.current.exec({ command: 'sleep 0.2' });
    });
    const rendersAtUnmount = renders;
    unmount();
    const started = await starting!;
    // The process runs to its end; nobody polls it for the unmounted component.
    const checker = countingClient(context.server).client;
    await waitFor(async () => expect((await checker.process.get(started.pid)).status).toBe('completed'), long);
    expect(renders).toBe(rendersAtUnmount);
    expect(count('GET', `/process/${started.pid}`)).toBe(0);
  });

  it('stops following on unmount (the process keeps running)', async () => {
    const { client, count } = countingClient(context.server);
    const { result, unmount } = renderHook(() => useExec({ polling: { intervalMs: 50 } }), {
      wrapper: wrapperFor(client),
    });
    let pid = '';
    await act(async () => {
      pid = (await result.current.exec({ command: 'sleep 30' })).pid;
    });
    await waitFor(() => expect(count('GET', `/process/${pid}`)).toBeGreaterThanOrEqual(2), long);
    unmount();
    const polls = count('GET', `/process/${pid}`);
    // Another process watched afresh completes while the unmounted one is not polled any more.
    const other = renderHook(() => useExec({ polling: { intervalMs: 50 } }), { wrapper: wrapperFor(client) });
    await act(async () => {
      await other.result.current.exec({ command: 'sleep 0.4' });
    });
    await waitFor(() => expect(other.result.current.status).toBe('completed'), long);
    expect(count('GET', `/process/${pid}`)).toBeLessThanOrEqual(polls + 1);
    expect((await client.process.get(pid)).status).toBe('running');
    await client.process.kill(pid);
  });

  it('reads a function polling.intervalMs from the latest render (never stale)', async () => {
    const { client } = countingClient(context.server);
    const gate = createGate();
    const calls: string[] = [];
    const { result, rerender } = renderHook(
      ({ tag }) =>
        useExec({
          polling: {
            intervalMs: () => {
              calls.push(tag);
              return 50;
            },
          },
        }),
      { wrapper: wrapperFor(client, true), initialProps: { tag: 'first' } },
    );
    await act(async () => {
      await result.current.exec({ command: gate.wait });
    });
    await waitFor(() => expect(calls).toContain('first'), long);
    rerender({ tag: 'second' });
    // The process runs until a poll after the rerender read the new function.
    await waitFor(() => expect(calls).toContain('second'), long);
    await gate.open();
    await waitFor(() => expect(result.current.status).toBe('completed'), long);
    expect(calls.slice(calls.indexOf('second'))).not.toContain('first');
  });

  it('calls onExit once per run, also for runs that had ended when exec answered', async () => {
    const { client } = countingClient(context.server);
    const onExit = vi.fn();
    const { result } = renderHook(() => useExec({ onExit }), { wrapper: wrapperFor(client, true) });
    await act(async () => {
      await result.current.exec({ command: 'exit 0', waitForCompletion: true });
    });
    await waitFor(() => expect(onExit).toHaveBeenCalledTimes(1), long);
    await act(async () => {
      await result.current.exec({ command: 'exit 2', waitForCompletion: true });
    });
    await waitFor(() => expect(onExit).toHaveBeenCalledTimes(2), long);
    expect(onExit.mock.calls.map(([process]) => [process.status, process.exitCode])).toEqual([
      ['completed', 0],
      ['failed', 2],
    ]);
    expect(result.current.status).toBe('failed');
  });
});

describe('useExec phases and reruns', () => {
  it('reports a failed start in phase and startError, apart from the process status', async () => {
    const { client } = countingClient(context.server);
    const { result } = renderHook(() => useExec(), { wrapper: wrapperFor(client) });
    await act(async () => {
      await result.current.exec({ command: 'true', workingDir: '/no/such/dir' }).catch(() => {});
    });
    expect(result.current).toMatchObject({
      status: 'error',
      phase: 'error',
      processStatus: undefined,
      pollError: undefined,
    });
    expect(result.current.startError).toBeDefined();
    expect(result.current.error).toBe(result.current.startError);
  });

  it('after a kill, a rerun with the same name follows the new process and its output only', async () => {
    const { client } = countingClient(context.server);
    const name = `hook-rerun-${Date.now()}`;
    const { result, unmount } = renderHook(
      () => useExec({ polling: { intervalMs: 50 }, logs: { notifyIntervalMs: 10 } }),
      {
        wrapper: wrapperFor(client, true),
      },
    );
    let first: ProcessInfo | undefined;
    await act(async () => {
      first = await result.current.exec({ command: 'while true; do echo first; sleep 0.05; done', name });
    });
    await waitFor(() => expect(result.current.logs.lines.length).toBeGreaterThanOrEqual(2), long);
    await act(async () => {
      await result.current.kill();
    });
    await waitFor(() => expect(result.current).toMatchObject({ phase: 'started', processStatus: 'killed' }), long);
    let second: ProcessInfo | undefined;
    await act(async () => {
      second = await result.current.exec({ command: 'while true; do echo second; sleep 0.05; done', name });
    });
    expect(second?.pid).not.toBe(first?.pid);
    await waitFor(() => expect(result.current.logs.lines.length).toBeGreaterThanOrEqual(2), long);
    expect(result.current.process?.pid).toBe(second?.pid);
    expect(result.current.processStatus).toBe('running');
    expect(result.current.logs.lines.every((line) => line.text === 'second')).toBe(true);
    await act(async () => {
      await result.current.kill();
    });
    unmount();
  });
});
