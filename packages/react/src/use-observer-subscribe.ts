import { useCallback } from 'react';

/** The part of a core observer that the hooks subscribe to. */
interface ObserverLike {
  subscribe(listener: () => void, options?: { activate?: boolean }): () => void;
}

const noSubscription = () => () => {};

/**
 * The `subscribe` function that a hook hands to `useSyncExternalStore` for `observer`. While
 * `enabled` is false the hook still sees changes made by others (or by `refetch`) but does not
 * keep the observer active, so it starts no poll or stream of its own.
 */
export function useObserverSubscribe(
  observer: ObserverLike | undefined,
  enabled: boolean,
): (onChange: () => void) => () => void {
  return useCallback(
    (onChange: () => void) => (observer ? observer.subscribe(onChange, { activate: enabled }) : noSubscription()),
    [observer, enabled],
  );
}
