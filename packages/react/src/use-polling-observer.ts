import {
  latestPollingOptions,
  type ObservableClient,
  type ObserverCache,
  type PollingObserver,
  type PollingOptions,
  type PollingState,
  TrackedResult,
} from '@sandproc/core';
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useLatest } from './use-latest.js';
import { useSandproc } from './sandproc-context.js';

/** The options every polling hook takes. */
export interface BasePollingOptions<TData> extends PollingOptions<TData> {
  /** Watch. `false` shows the last known state without requests. Default `true`. */
  enabled?: boolean | undefined;
  /** Data known beforehand, e.g. fetched for server rendering: what the server renders. */
  initialData?: TData | undefined;
  /** Use this client instead of the provider's. */
  client?: ObservableClient | undefined;
}

/** What the base hook hands the hook built on it. */
export interface PollingObserverBinding<TData, TOptions, TView> {
  /**
   * The view of the state with `refetch` and `retry`; its fields are tracked: the component
   * renders again only when a field it read changed (see core's `TrackedResult`).
   */
  result: TView & {
    refetch: () => Promise<TData | undefined>;
    retry: () => Promise<TData | undefined>;
  };
  /** The options of the last committed render. */
  latest: { readonly current: TOptions };
}

function pollingOptionsOf<TData>({
  intervalMs,
  maxBackoffMs,
  pauseWhenHidden,
}: PollingOptions<TData>): PollingOptions<TData> {
  return { intervalMs, maxBackoffMs, pauseWhenHidden };
}

/** `refetch` and `retry` where there is no observer (no id): nothing to fetch. */
const noFetch = async (): Promise<undefined> => undefined;
const noSubscription = () => () => {};

/**
 * The base of the polling hooks (useProcess, useProcessList), as TanStack's `useBaseQuery`:
 * looks the shared observer up in the provider's cache (`select`, when `key` changes), hands it the
 * hook's polling options, subscribes while enabled, and reads its state through
 * `useSyncExternalStore`, with `initialData` as the server's (and hydration's) snapshot. It
 * returns core's `view` of the state, tracked: a change of a field the component never read
 * (e.g. `isFetching` on and off for an unchanged poll) does not render it again.
 */
export function usePollingObserver<TData, TOptions extends BasePollingOptions<TData>, TView extends object>(
  options: TOptions,
  key: string | undefined,
  select: (cache: ObserverCache, client: ObservableClient) => PollingObserver<TData> | undefined,
  view: (state: PollingState<TData>, watching: boolean) => TView,
): PollingObserverBinding<TData, TOptions, TView> {
  const { client, cache } = useSandproc(options.client);
  const { initialData, intervalMs, maxBackoffMs, pauseWhenHidden } = options;
  // Looked up again only when what it watches changes: a hook that started on a process stays with
  // its observer, while one that starts later on a name whose process is over gets the cache's new
  // one (see `ObserverCache`). React drops a memo only for a tree that never mounted.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `select` is a new function each render; `key` is what it selects.
  const observer = useMemo(() => select(cache, client), [cache, client, key]);
  const enabled = options.enabled !== false && observer !== undefined;
  const latest = useLatest(options);

  // The options go to the shared observer while this hook watches; a function interval is read
  // from the latest render at each poll, so a new function every render changes nothing.
  const intervalIsFunction = typeof intervalMs === 'function';
  // biome-ignore lint/correctness/useExhaustiveDependencies: a function interval is read through `latest`, so only whether it is one is a dependency.
  useEffect(() => {
    if (!observer || !enabled) return;
    observer.setOptions(latestPollingOptions(() => pollingOptionsOf(latest.current)) ?? {});
  }, [
    observer,
    enabled,
    latest,
    intervalIsFunction ? null : intervalMs,
    intervalIsFunction,
    maxBackoffMs,
    pauseWhenHidden,
  ]);

  const [tracked] = useState(() => new TrackedResult());
  const subscribe = useCallback(
    (onChange: () => void) =>
      observer
        ? tracked.subscribe(observer, () => view(observer.getSnapshot(), enabled), onChange, { activate: enabled })
        : noSubscription(),
    [observer, enabled, tracked, view],
  );
  const getInitialState = useMemo(() => {
    const state: PollingState<TData> = {
      data: initialData,
      error: undefined,
      failureCount: 0,
      isFetching: false,
      isPolling: false,
      updatedAt: 0,
    };
    return () => state;
  }, [initialData]);
  const state = useSyncExternalStore(subscribe, observer ? observer.getSnapshot : getInitialState, getInitialState);
  const refetch = observer ? observer.refetch : noFetch;
  const retry = observer ? observer.retry : noFetch;
  const result = useMemo(
    () => tracked.track({ ...view(state, enabled), refetch, retry }),
    [tracked, view, state, enabled, refetch, retry],
  );
  return { result, latest };
}
