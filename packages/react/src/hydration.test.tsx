// @vitest-environment jsdom
import { act, waitFor } from '@testing-library/react';
import { createElement } from 'react';
import { hydrateRoot } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { SandprocProvider, useProcess, useProcessLogs } from './index.js';
import { countingClient, createGate, useTestServer } from './test-server.test-helper.js';

const context = useTestServer();

describe('server rendering then hydration', () => {
  it('renders the initial data on the server without a request, then the browser polls', async () => {
    const setup = countingClient(context.server);
    // It runs until the browser has taken over.
    const gate = createGate();
    const started = await setup.client.process.exec({ command: `${gate.wait} && echo done` });
    const initial = await setup.client.process.get(started.pid);
    expect(initial.status).toBe('running');

    function Page() {
      const { status } = useProcess(started.pid, { initialData: initial, intervalMs: 50 });
      const { text } = useProcessLogs(started.pid);
      return createElement('p', null, `${status}|${text}`);
    }
    const onServer = countingClient(context.server);
    const html = renderToString(createElement(SandprocProvider, { client: onServer.client }, createElement(Page)));
    expect(html).toBe('<p>running|</p>');
    expect(onServer.requests).toEqual([]);

    const container = document.createElement('div');
    container.innerHTML = html;
    document.body.append(container);
    const errors = vi.spyOn(console, 'error');
    const inBrowser = countingClient(context.server);
    let root: ReturnType<typeof hydrateRoot> | undefined;
    await act(async () => {
      root = hydrateRoot(container, createElement(SandprocProvider, { client: inBrowser.client }, createElement(Page)));
    });
    expect(container.textContent).toBe('running|');
    await gate.open();
    await waitFor(() => expect(container.textContent).toBe('completed|done'), { timeout: 20_000 });
    expect(errors).not.toHaveBeenCalled();
    expect(inBrowser.count('GET', `/process/${started.pid}`)).toBeGreaterThanOrEqual(1);
    errors.mockRestore();
    act(() => root?.unmount());
    container.remove();
  });
});
