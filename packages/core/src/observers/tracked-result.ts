/** What {@link TrackedResult.subscribe} needs of an observer. */
interface Observable {
  subscribe(listener: () => void, options?: { activate?: boolean }): () => void;
}

/**
 * Which fields of a result one reader (a component) has read, so that it is told only of the
 * changes it can see: TanStack Query's tracked properties. A component that shows a process's
 * status is not rendered again by a poll that only turned `isFetching` on and off. A field read
 * once stays tracked; until any is read, every change is told. One per reader.
 */
export class TrackedResult {
  readonly #read = new Set<string>();

  /** A copy of `result` whose getters record each field read. */
  track<TResult extends object>(result: TResult): TResult {
    const tracked = {} as TResult;
    for (const key of Object.keys(result) as (keyof TResult & string)[])
      Object.defineProperty(tracked, key, {
        enumerable: true,
        get: () => {
          this.#read.add(key);
          return result[key];
        },
      });
    return tracked;
  }

  /**
   * Subscribes to `observer` as its `subscribe` does, but calls `listener` only when a field read
   * so far differs between the results `compute()` gives before and after a change (at every
   * change while no field was read).
   */
  subscribe(
    observer: Observable,
    compute: () => object,
    listener: () => void,
    options?: { activate?: boolean },
  ): () => void {
    let last = compute() as Record<string, unknown>;
    return observer.subscribe(() => {
      const previous = last;
      last = compute() as Record<string, unknown>;
      if (this.#read.size === 0 || [...this.#read].some((key) => !Object.is(last[key], previous[key]))) listener();
    }, options);
  }
}
