// @vitest-environment jsdom
import { createSandboxServer } from '@sandproc/server';
import { act, cleanup, render, renderHook, waitFor } from '@testing-library/react';
import { createElement } from 'react';
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

  it.each([
    ['a 304', true],
    ['a new equal body: a server without ETags, as the real sandbox-api', false],
  ])('an unchanged poll (%s) does not render a component that shows the processes', async (_answer, entityTags) => {
    // A server of its own: no process of another test changes the list meanwhile.
    const server = await createSandboxServer({ port: 0 });
    try {
      const { client, count } = countingClient(server, { entityTags });
      await client.process.exec({ command: 'sleep 30', name: 'still' });
      let renders = 0;
      function Names() {
        renders++;
        const { processes } = useProcessList({ intervalMs: 5 });
        return createElement('span', null, processes?.map((process) => process.name).join(',') ?? 'loading');
      }
      const view = render(createElement(Names), { wrapper: wrapperFor(client) });
      await waitFor(() => expect(view.container.textContent).toBe('still'), long);
      const before = { renders, fetches: count('GET', '/process') };
      await waitFor(() => expect(count('GET', '/process')).toBeGreaterThanOrEqual(before.fetches + 30), long);
      await act(async () => {});
      expect(renders - before.renders).toBe(0);
      // A new process in the list renders it.
      await client.process.exec({ command: 'sleep 30', name: 'later' });
      await waitFor(() => expect(view.container.textContent).toBe('still,later'), long);
      view.unmount();
    } finally {
      await server.close();
    }
  });
});
