// @vitest-environment jsdom
import { cleanup, renderHook, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { useProcessList } from './index.js';
import { cacheFor, countPollFetches, countingClient, useTestServer, wrapperFor } from './test-server.test-helper.js';

const context = useTestServer();
afterEach(cleanup);
const long = { timeout: 20_000 };

describe('useProcessList', () => {
  it('lists processes, sees new ones, and shares one poll', async () => {
    const { client, count } = countingClient(context.server);
    const poll = countPollFetches(cacheFor(client).getProcessListObserver(client));
    const { result, unmount } = renderHook(
      () => ({ a: useProcessList({ intervalMs: 50 }), b: useProcessList({ intervalMs: 50 }) }),
      { wrapper: wrapperFor(client, true) },
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
    await waitFor(() => expect(poll.fetches).toBeGreaterThanOrEqual(5), long);
    unmount();
    // A request still in flight at the unmount is aborted, and counted on both sides.
    expect(count('GET', '/process')).toBe(poll.fetches);
    poll.stop();
    await client.process.kill(started.pid);
  });
});
