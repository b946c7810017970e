// @vitest-environment jsdom
import { cleanup, renderHook, waitFor } from '@testing-library/react';
import { StrictMode, createElement, type ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { getProcessListObserver } from '@sandproc/core';
import { SandprocProvider, useProcessList } from './index.js';
import { countingClient, useTestServer } from './test-server.test-helper.js';

const context = useTestServer();
afterEach(cleanup);
const long = { timeout: 20_000 };

describe('useProcessList', () => {
  it('lists processes, sees new ones, and shares one poll', async () => {
    const { client, count } = countingClient(context.server);
    // Count the poll's fetches at the shared observer, where no render batching hides any: every
    // GET /process beyond them would come from a second poll.
    const observer = getProcessListObserver(client);
    let fetches = 0;
    let wasFetching = false;
    const stopCounting = observer.subscribe(() => {
      const { isFetching } = observer.getSnapshot();
      if (isFetching && !wasFetching) fetches++;
      wasFetching = isFetching;
    }, { activate: false });
    const wrapper = ({ children }: { children: ReactNode }) =>
      createElement(StrictMode, null, createElement(SandprocProvider, { client }, children));
    const { result, unmount } = renderHook(
      () => ({ a: useProcessList({ intervalMs: 50 }), b: useProcessList({ intervalMs: 50 }) }),
      { wrapper },
    );
    expect(result.current.a.isLoading).toBe(true);
    await waitFor(() => expect(result.current.a.processes).toBeDefined(), long);
    const started = await client.process.exec({ command: 'sleep 30', name: 'listed-process' });
    await waitFor(
      () => expect(result.current.b.processes?.some((process) => process.name === 'listed-process')).toBe(true),
      long,
    );
    expect(result.current.a.processes).toBe(result.current.b.processes);
    expect(result.current.a).toMatchObject({ isLoading: false, isPolling: true, error: undefined });
    // Several polls went by, and each was one request (StrictMode, two hooks).
    await waitFor(() => expect(fetches).toBeGreaterThanOrEqual(5), long);
    unmount();
    // A request still in flight at the unmount is aborted, and counted on both sides.
    expect(count('GET', '/process')).toBe(fetches);
    stopCounting();
    await client.process.kill(started.pid);
  });
});
