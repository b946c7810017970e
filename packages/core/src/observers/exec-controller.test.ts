import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExecController, type ExecStatus } from './exec-controller.js';
import { fakeProcessApi } from './fake-process-api.test-helper.js';
import { ObserverCache } from './observer-cache.js';
import type { PollingOptions } from './polling-observer.js';
import type { ProcessInfo } from '../types.js';

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
    expect(controller.getSnapshot()).toEqual({ status: 'idle', phase: 'idle', process: undefined, error: undefined });
  });

  it('reads a function polling interval from the latest options at every poll', async () => {
    const { api, state } = fakeProcessApi();
    let polling: PollingOptions<ProcessInfo> = { intervalMs: () => 1000 };
    // Bindings hand the latest options through a getter (useExec does).
    const controller = new ExecController(
      { process: api },
      {
        get polling() {
          return polling;
        },
      },
    );
    const off = controller.subscribe(() => {});
    await controller.exec({ command: 'sleep 1' });
    await vi.advanceTimersByTimeAsync(0);
    expect(state.getCalls).toBe(1);
    polling = { intervalMs: () => 100 };
    // The poll planned with the first function still waits 1000 ms; the next ones use the new one.
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.getCalls).toBe(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(state.getCalls).toBe(7);
    off();
  });

  it('shares the cache observer again after being unwatched for longer than its gcTime', async () => {
    const { api, state } = fakeProcessApi();
    const client = { process: api };
    const cache = new ObserverCache();
    const controller = new ExecController(client, { polling: { intervalMs: 100 }, cache });
    let off = controller.subscribe(() => {});
    const started = await controller.exec({ command: 'sleep 1' });
    await vi.advanceTimersByTimeAsync(50);
    off();
    // Longer than the cache's default gcTimeMs (5000): the idle observer is dropped.
    await vi.advanceTimersByTimeAsync(5300);
    off = controller.subscribe(() => {});
    const offOther = cache.getProcessObserver(client, started.pid, { intervalMs: 100 }).subscribe(() => {});
    await vi.advanceTimersByTimeAsync(50);
    const before = state.getCalls;
    await vi.advanceTimersByTimeAsync(1000);
    // One shared poll: 10 requests a second at 100 ms, not 20.
    expect(state.getCalls - before).toBe(10);
    expect(controller.getSnapshot().status).toBe('running');
    state.status = 'completed';
    await vi.advanceTimersByTimeAsync(100);
    expect(controller.getSnapshot().status).toBe('completed');
    off();
    offOther();
  });

  it('keeps its phase apart from the process status, and start, poll and signal errors apart', async () => {
    const { api, state } = fakeProcessApi();
    const controller = new ExecController({ process: api }, { polling: { intervalMs: 100 } });
    const off = controller.subscribe(() => {});
    const refused = new Error('refused');
    const exec = api.exec;
    api.exec = async () => {
      throw refused;
    };
    await expect(controller.exec({ command: 'x' })).rejects.toBe(refused);
    expect(controller.getSnapshot()).toMatchObject({
      status: 'error',
      phase: 'error',
      processStatus: undefined,
      startError: refused,
      pollError: undefined,
      error: refused,
    });
    api.exec = exec;
    await controller.exec({ command: 'sleep 1' });
    expect(controller.getSnapshot()).toMatchObject({
      status: 'running',
      phase: 'started',
      processStatus: 'running',
      startError: undefined,
      error: undefined,
    });
    await vi.advanceTimersByTimeAsync(0);
    const down = new Error('poll failed');
    state.failWith = down;
    await vi.advanceTimersByTimeAsync(100);
    expect(controller.getSnapshot()).toMatchObject({
      phase: 'started',
      processStatus: 'running',
      pollError: down,
      error: down,
      startError: undefined,
    });
    state.failWith = undefined;
    await vi.advanceTimersByTimeAsync(100);
    expect(controller.getSnapshot()).toMatchObject({ pollError: undefined, error: undefined });
    const denied = new Error('denied');
    api.kill = async () => {
      throw denied;
    };
    await expect(controller.kill()).rejects.toBe(denied);
    expect(controller.getSnapshot()).toMatchObject({
      phase: 'started',
      processStatus: 'running',
      signalError: denied,
      error: denied,
      pollError: undefined,
    });
    await controller.stop();
    expect(controller.getSnapshot()).toMatchObject({
      status: 'stopped',
      phase: 'started',
      processStatus: 'stopped',
      signalError: undefined,
    });
    off();
  });

  it('takes new polling options with setOptions', async () => {
    const { api, state } = fakeProcessApi();
    const controller = new ExecController({ process: api }, { polling: { intervalMs: 1000 } });
    const off = controller.subscribe(() => {});
    await controller.exec({ command: 'sleep 1' });
    await vi.advanceTimersByTimeAsync(0);
    expect(state.getCalls).toBe(1);
    controller.setOptions({ polling: { intervalMs: () => 100 } });
    await vi.advanceTimersByTimeAsync(1000);
    expect(state.getCalls).toBe(2);
    await vi.advanceTimersByTimeAsync(500);
    expect(state.getCalls).toBe(7);
    off();
  });

  it('stop and kill do nothing before a process started', async () => {
    const { api } = fakeProcessApi();
    const controller = new ExecController({ process: api });
    await expect(controller.stop()).resolves.toBeUndefined();
    await expect(controller.kill()).resolves.toBeUndefined();
  });
});
