import { defaultPollIntervalMs } from '../constants.js';
import type { PollingOptions } from './polling-observer.js';

/**
 * The polling options `read()` returns now, with a function `intervalMs` replaced by one that
 * calls whatever `read()` returns at each poll: a binding that gets a new function every render
 * (React) hands its observer one stable function that still runs the latest one. If the option
 * stops being a function, its value (or the default, 1000) is used.
 */
export function latestPollingOptions<TData>(
  read: () => PollingOptions<TData> | undefined,
): PollingOptions<TData> | undefined {
  const options = read();
  if (typeof options?.intervalMs !== 'function') return options;
  return {
    ...options,
    intervalMs: (data) => {
      const latest = read()?.intervalMs;
      return typeof latest === 'function' ? latest(data) : (latest ?? defaultPollIntervalMs);
    },
  };
}
