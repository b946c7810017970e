import type { PollingOptions } from '@sandproc/core';
import { useEffect } from 'react';

/** The part of a polling observer that takes a hook's options. */
interface PollingObserverLike<TData> {
  setOptions(options: PollingOptions<TData>): void;
}

/**
 * Hands a hook's polling options to its (shared) observer while the hook is enabled. A function
 * interval is read through `latest` (the options of the last render) at each poll, so a new function every render changes nothing.
 */
export function usePollingOptions<TData>(
  observer: PollingObserverLike<TData> | undefined,
  enabled: boolean,
  options: PollingOptions<TData>,
  latest: { readonly current: PollingOptions<TData> },
): void {
  const { intervalMs, maxBackoffMs, pauseWhenHidden } = options;
  const intervalIsFunction = typeof intervalMs === 'function';
  useEffect(() => {
    if (!observer || !enabled) return;
    observer.setOptions({
      intervalMs: intervalIsFunction
        ? (data) => {
            const current = latest.current.intervalMs;
            return typeof current === 'function' ? current(data) : (current ?? 1000);
          }
        : intervalMs,
      maxBackoffMs,
      pauseWhenHidden,
    });
  }, [observer, enabled, latest, intervalIsFunction ? null : intervalMs, intervalIsFunction, maxBackoffMs, pauseWhenHidden]);
}
