import { describe, expect, it } from 'vitest';
import type { ProcessInfo } from '../types.js';
import { processInfo } from './fake-process-api.test-helper.js';
import type { PollingState } from './polling-observer.js';
import { processListView, processView } from './polling-views.js';
import { Subscribable } from './subscribable.js';
import { TrackedResult } from './tracked-result.js';

class Store extends Subscribable<PollingState<ProcessInfo>> {
  constructor() {
    super({ data: undefined, error: undefined, failureCount: 0, isFetching: false, isPolling: false, updatedAt: 0 });
  }
  set(patch: Partial<PollingState<ProcessInfo>>): void {
    this.setSnapshot(patch);
  }
}

describe('TrackedResult', () => {
  it('tells a reader only of changes to the fields it read; of every change until it read one', () => {
    const store = new Store();
    const tracked = new TrackedResult();
    let told = 0;
    const off = tracked.subscribe(
      store,
      () => processView(store.getSnapshot(), true),
      () => told++,
    );
    store.set({ isFetching: true });
    expect(told).toBe(1); // nothing read yet
    const result = tracked.track(processView(store.getSnapshot(), true));
    expect(result.status).toBeUndefined();
    store.set({ isFetching: false, updatedAt: 1 });
    store.set({ isFetching: true });
    store.set({ isFetching: false, updatedAt: 2 });
    expect(told).toBe(1); // only isFetching and updatedAt changed
    store.set({ data: processInfo({ status: 'running' }) });
    expect(told).toBe(2);
    expect(tracked.track(processView(store.getSnapshot(), true)).isFetching).toBe(false); // now tracked too
    store.set({ isFetching: true });
    expect(told).toBe(3);
    off();
    store.set({ isFetching: false });
    expect(told).toBe(3);
  });

  it('keeps every field of the result, each read through a getter', () => {
    const tracked = new TrackedResult();
    const refetch = () => {};
    const result = tracked.track({ a: 1, refetch });
    expect({ ...result }).toEqual({ a: 1, refetch });
    expect(Object.keys(result)).toEqual(['a', 'refetch']);
  });

  it('derives the views bindings show', () => {
    const base = { error: undefined, failureCount: 0, isFetching: true, isPolling: true, updatedAt: 0 };
    expect(processView({ ...base, data: undefined }, true)).toEqual({
      process: undefined,
      status: undefined,
      exitCode: null,
      error: undefined,
      failureCount: 0,
      isLoading: true,
      isFetching: true,
      isPolling: true,
    });
    const ended = processInfo({ status: 'failed', exitCode: 3 });
    expect(processView({ ...base, data: ended }, true)).toMatchObject({
      process: ended,
      status: 'failed',
      exitCode: 3,
    });
    expect(processView({ ...base, data: processInfo({ exitCode: 0 }) }, true).exitCode).toBeNull();
    expect(processView({ ...base, data: undefined }, false).isLoading).toBe(false);
    const failure = new Error('down');
    expect(processListView({ ...base, data: undefined, error: failure, failureCount: 2 }, true)).toEqual({
      processes: undefined,
      error: failure,
      failureCount: 2,
      isLoading: false,
      isFetching: true,
      isPolling: true,
    });
  });
});
