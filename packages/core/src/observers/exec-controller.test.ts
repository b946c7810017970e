import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExecController, type ExecStatus } from './exec-controller.js';
import { fakeProcessApi } from './fake-process-api.test-helper.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ExecController', () => {
  it('goes idle → starting → running → completed, polling only while subscribed', async () => {
    const { api, state } = fakeProcessApi();
    const controller = new ExecController({ process: api }, { polling: { intervalMs: 100 } });
    const statuses: ExecStatus[] = [];
    const off = controller.subscribe(() => statuses.push(controller.getSnapshot().status));
    const started = controller.exec({ command: 'sleep 1' });
    expect(controller.getSnapshot().status).toBe('starting');
    await expect(started).resolves.toMatchObject({ status: 'running' });
    await vi.advanceTimersByTimeAsync(0);
    expect(state.getCalls).toBe(1);
    state.status = 'completed';
    await vi.advanceTimersByTimeAsync(100);
    expect(controller.getSnapshot().status).toBe('completed');
    expect([...new Set(statuses)]).toEqual(['starting', 'running', 'completed']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.getCalls).toBe(2);
    off();
  });

  it('does not poll without subscribers', async () => {
    const { api, state } = fakeProcessApi();
    const controller = new ExecController({ process: api });
    await controller.exec({ command: 'sleep 1' });
    await vi.advanceTimersByTimeAsync(5000);
    expect(state.getCalls).toBe(0);
    expect(controller.getSnapshot().status).toBe('running');
  });

  it('stop and kill take the answer as the state', async () => {
    const { api } = fakeProcessApi();
    const controller = new ExecController({ process: api });
    const off = controller.subscribe(() => {});
    await controller.exec({ command: 'sleep 1' });
    await controller.stop();
    expect(controller.getSnapshot().status).toBe('stopped');
    expect(controller.getSnapshot().process?.exitCode).toBe(-1);
    await controller.exec({ command: 'sleep 1' });
    await controller.kill();
    expect(controller.getSnapshot().status).toBe('killed');
    off();
  });

  it('ignores the answer of an exec overtaken by reset', async () => {
    const { api } = fakeProcessApi();
    const controller = new ExecController({ process: api });
    const started = controller.exec({ command: 'sleep 1' });
    controller.reset();
    await started;
    expect(controller.getSnapshot()).toEqual({ status: 'idle', process: undefined, error: undefined });
  });

  it('stop and kill do nothing before a process started', async () => {
    const { api } = fakeProcessApi();
    const controller = new ExecController({ process: api });
    await expect(controller.stop()).resolves.toBeUndefined();
    await expect(controller.kill()).resolves.toBeUndefined();
  });
});
