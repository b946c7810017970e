import { defaultGcTimeMs } from '../constants.js';
import { LogsObserver, type LogsObserverOptions } from './logs-observer.js';
import type { ObservableClient } from './observed-client.js';
import { isPid } from './process-pin.js';
import { ProcessListObserver, type ProcessListObserverOptions } from './process-list-observer.js';
import { ProcessObserver, type ProcessObserverOptions } from './process-observer.js';
import type { Subscribable } from './subscribable.js';

/** Options of an {@link ObserverCache}. */
export interface ObserverCacheOptions {
  /**
   * How long an observer nobody watches is kept (with its last state) before it is dropped, in
   * milliseconds. Default 5000.
   */
  gcTimeMs?: number | undefined;
}

interface Entry {
  observer: Subscribable<unknown>;
  /** When the observer was last watched (or created), in ms since the epoch; `undefined` while watched. */
  idleSince: number | undefined;
  gcTimer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The shared observers of an app, in the manner of TanStack Query's `QueryCache`: one observer
 * per client and process (and one process list, one log stream), shared by everyone who asks
 * this cache, counted by its subscribers and dropped `gcTimeMs` after the last one left.
 *
 * An observer given a name stays with the process it found first. Once that process is over, a
 * later look-up of the name gets a new observer, which finds the newest process with the name;
 * the old observer carries on (with its last state) for those who hold it. The React hooks hold
 * theirs for as long as their id does not change.
 *
 * Owned by the app: create one per app in a browser, and one per request when rendering on a
 * server (`SandprocProvider` does both), so no data or timer outlives what it belongs to.
 * Nothing is global: two caches never share an observer.
 */
export class ObserverCache {
  readonly #gcTimeMs: number;
  readonly #entries = new WeakMap<ObservableClient, Map<string, Entry>>();

  constructor(options: ObserverCacheOptions = {}) {
    this.#gcTimeMs = options.gcTimeMs ?? defaultGcTimeMs;
  }

  /**
   * The observer of process `id` (pid or name) through `client`: created on first use, and again
   * for a name whose process is over (see the class). `options`
   * apply when it is created; use `setOptions` to change them later. `initialData` also seeds an
   * observer that has no data yet, never replaces data, and notifies nobody during the call (see
   * `setInitialData`), so it may be called while a UI renders.
   */
  getProcessObserver(client: ObservableClient, id: string, options?: ProcessObserverOptions): ProcessObserver {
    const observer = this.#lookUp(
      client,
      `process\u0000${id}`,
      () => new ProcessObserver(client.process, id, options),
      isPid(id),
    );
    if (options?.initialData) observer.setInitialData(options.initialData);
    return observer;
  }

  /** The observer of the process list through `client` (see `getProcessObserver`). */
  getProcessListObserver(client: ObservableClient, options?: ProcessListObserverOptions): ProcessListObserver {
    const observer = this.#lookUp(client, 'list', () => new ProcessListObserver(client.process, options));
    if (options?.initialData) observer.setInitialData(options.initialData);
    return observer;
  }

  /** The logs observer of process `id` through `client`: one stream for everyone (a name as in `getProcessObserver`). */
  getLogsObserver(client: ObservableClient, id: string, options?: LogsObserverOptions): LogsObserver {
    return this.#lookUp(client, `logs\u0000${id}`, () => new LogsObserver(client.process, id, options), isPid(id));
  }

  /** How many observers of `client` the cache holds (watched or not). */
  size(client: ObservableClient): number {
    return this.#entries.get(client)?.size ?? 0;
  }

  /**
   * The observer under `key`, created when there is none. Unless `pinned` (a pid, or the list), an
   * observer whose process is over is replaced by a new one (which looks the name up again): a name
   * may now belong to a later process, and whoever starts watching a name sees the newest process
   * with it. The observer replaced carries on for those who hold it (they stay with their process).
   */
  #lookUp<TObserver extends Subscribable<unknown> & { readonly isOver?: boolean }>(
    client: ObservableClient,
    key: string,
    create: () => TObserver,
    pinned = true,
  ): TObserver {
    let entries = this.#entries.get(client);
    if (!entries) {
      entries = new Map();
      this.#entries.set(client, entries);
    }
    const existing = entries.get(key);
    if (existing && (pinned || !(existing.observer as TObserver).isOver)) return existing.observer as TObserver;
    if (existing) {
      clearTimeout(existing.gcTimer);
      entries.delete(key);
    }
    this.#sweep(entries);
    const observer = create();
    const entry: Entry = { observer, idleSince: Date.now(), gcTimer: undefined };
    const map = entries;
    observer.onActiveChange((active) => {
      clearTimeout(entry.gcTimer);
      entry.gcTimer = undefined;
      if (active) {
        entry.idleSince = undefined;
        return;
      }
      entry.idleSince = Date.now();
      entry.gcTimer = setTimeout(() => {
        if (!observer.isActive && map.get(key) === entry) map.delete(key);
      }, this.#gcTimeMs);
      // Housekeeping only: it must not keep a Node, Bun or Deno process alive.
      (entry.gcTimer as { unref?: () => void } | undefined)?.unref?.();
    });
    map.set(key, entry);
    return observer;
  }

  /**
   * Drops the observers that were created but never watched for `gcTimeMs` (e.g. looked up by a
   * render that was thrown away). They have no timer: a server render must leave none behind.
   */
  #sweep(entries: Map<string, Entry>): void {
    const now = Date.now();
    for (const [key, entry] of entries) {
      const { idleSince, gcTimer, observer } = entry;
      const neverWatched = gcTimer === undefined && idleSince !== undefined;
      if (neverWatched && observer.subscriberCount === 0 && now - idleSince >= this.#gcTimeMs) entries.delete(key);
    }
  }
}
