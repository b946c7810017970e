// @vitest-environment jsdom
import { ObserverCache } from '@sandproc/core';
import { cleanup, render, waitFor } from '@testing-library/react';
import { createElement } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { SandprocProvider, useProcess } from './index.js';
import { countingClient, useTestServer } from './test-server.test-helper.js';

const context = useTestServer();
afterEach(cleanup);
const long = { timeout: 20_000 };

describe('SandprocProvider cache', () => {
  it('trees given the same cache share one observer; trees with a cache of their own do not', async () => {
    const { client, count } = countingClient(context.server);
    const started = await client.process.exec({ command: 'sleep 30' });
    function Watcher() {
      return createElement('span', null, useProcess(started.pid, { intervalMs: 60_000 }).status ?? 'loading');
    }
    const cache = new ObserverCache();
    const tree = (props: { cache?: ObserverCache }) =>
      createElement(SandprocProvider, { client, ...props }, createElement(Watcher));
    const shared = [render(tree({ cache })), render(tree({ cache }))];
    const own = [render(tree({})), render(tree({}))];
    for (const view of [...shared, ...own])
      await waitFor(() => expect(view.container.textContent).toBe('running'), long);
    // One observer in the given cache for both shared trees.
    expect(cache.size(client)).toBe(1);
    const observer = cache.getProcessObserver(client, started.pid);
    expect(observer.subscriberCount).toBe(2);
    // One first request per observer: the shared one, and one for each tree with its own cache.
    expect(count('GET', `/process/${started.pid}`)).toBe(3);
    await client.process.kill(started.pid);
  });
});
