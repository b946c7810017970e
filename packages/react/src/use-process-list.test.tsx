// @vitest-environment jsdom
import { cleanup, renderHook, waitFor } from '@testing-library/react';
import { StrictMode, createElement, type ReactNode } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { SandprocProvider, useProcessList } from './index.js';
import { countingClient, useTestServer } from './test-server.test-helper.js';

const context = useTestServer();
afterEach(cleanup);
const long = { timeout: 20_000 };

describe('useProcessList', () => {
  it('lists processes, sees new ones, and shares one poll', async () => {
    const { client, count } = countingClient(context.server);
    const wrapper = ({ children }: { children: ReactNode }) =>
      createElement(StrictMode, null, createElement(SandprocProvider, { client }, children));
    const { result } = renderHook(
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
    expect(count('GET', '/process')).toBeGreaterThanOrEqual(2);
    await client.process.kill(started.pid);
  });
});
