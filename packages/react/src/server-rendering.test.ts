import { createClient, type ProcessInfo } from '@sandproc/core';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { SandprocProvider, useExec, useProcess, useProcessList, useProcessLogs } from './index.js';

const finished: ProcessInfo = {
  pid: '42',
  name: 'build',
  command: 'make',
  workingDir: '',
  status: 'completed',
  exitCode: 0,
  startedAt: new Date(0),
  completedAt: new Date(1000),
  stdout: null,
  stderr: null,
  logs: null,
  restartOnFailure: false,
  maxRestarts: 0,
  restartCount: 0,
  keepAlive: false,
};

describe('server rendering', () => {
  it('renders every hook with renderToString and makes no request', async () => {
    const requests: string[] = [];
    const client = createClient({
      // Nothing listens there: a request would fail, and is recorded.
      baseUrl: 'http://127.0.0.1:9',
      fetch: async (input) => {
        requests.push(String(input instanceof Request ? input.url : input));
        throw new Error('no request may be made while rendering on the server');
      },
    });
    function Page() {
      const withData = useProcess('42', { initialData: finished });
      const without = useProcess('43');
      const logs = useProcessLogs('42');
      const exec = useExec();
      const list = useProcessList();
      return createElement(
        'p',
        null,
        [
          `${withData.status}:${withData.exitCode}:${withData.isLoading}`,
          `${String(without.status)}:${without.isLoading}`,
          `${logs.status}:${logs.lines.length}`,
          exec.status,
          `${String(list.processes)}:${list.isLoading}`,
        ].join('|'),
      );
    }
    const html = renderToString(createElement(SandprocProvider, { client }, createElement(Page)));
    expect(html).toBe('<p>completed:0:false|undefined:true|idle:0|idle|undefined:true</p>');
    // Nothing was deferred either.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(requests).toEqual([]);
  });

  it('renders each request from its own initialData with one shared client, and leaves no timer', () => {
    // One module-level client, as in the README's setup, shared by every request.
    const client = createClient({
      baseUrl: 'http://127.0.0.1:9',
      fetch: () => Promise.reject(new Error('no request')),
    });
    function Page({ initialData }: { initialData: ProcessInfo }) {
      const { status } = useProcess('42', { initialData });
      const { processes } = useProcessList({ initialData: [initialData] });
      return createElement('p', null, `${status}|${processes?.map((process) => process.status).join()}`);
    }
    const render = (initialData: ProcessInfo) =>
      renderToString(createElement(SandprocProvider, { client }, createElement(Page, { initialData })));
    const timers = vi.spyOn(globalThis, 'setTimeout');
    try {
      expect(render({ ...finished, status: 'running', completedAt: null })).toBe('<p>running|running</p>');
      expect(render(finished)).toBe('<p>completed|completed</p>');
      expect(render({ ...finished, status: 'failed', exitCode: 2 })).toBe('<p>failed|failed</p>');
      // Nothing that would keep Node alive after the response (the registry's cleanup timers).
      expect(timers).not.toHaveBeenCalled();
    } finally {
      timers.mockRestore();
    }
  });
});
