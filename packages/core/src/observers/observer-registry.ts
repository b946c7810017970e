import { LogsObserver, type LogsObserverOptions } from './logs-observer.js';
import type { ObservableClient } from './observed-client.js';
import { ProcessListObserver, type ProcessListObserverOptions } from './process-list-observer.js';
import { ProcessObserver, type ProcessObserverOptions } from './process-observer.js';
import type { Subscribable } from './subscribable.js';

/** Options of the shared-observer registry. */
export interface ObserverRegistryOptions {
  /**
   * How long an observer nobody watches is kept (with its last state) before it is dropped, in
   * milliseconds. Default 5000.
   */
  gcTimeMs?: number;
}

interface Entry {
  observer: Subscribable<unknown>;
  gcTimer: ReturnType<typeof setTimeout> | undefined;
}

// Created lazily: importing the observers has no side effects.
let registries: WeakMap<ObservableClient, Map<string, Entry>> | undefined;

function lookUp<TObserver extends Subscribable<any>>(
  client: ObservableClient,
  key: string,
  create: () => TObserver,
  options: ObserverRegistryOptions | undefined,
): TObserver {
  registries ??= new WeakMap();
  let observers = registries.get(client);
  if (!observers) {
    observers = new Map();
    registries.set(client, observers);
  }
  const existing = observers.get(key);
  if (existing) return existing.observer as TObserver;
  const observer = create();
  const entry: Entry = { observer, gcTimer: undefined };
  const map = observers;
  const gcTimeMs = options?.gcTimeMs ?? 5000;
  const scheduleRemoval = () => {
    clearTimeout(entry.gcTimer);
    entry.gcTimer = setTimeout(() => {
      if (observer.subscriberCount === 0 && map.get(key) === entry) map.delete(key);
    }, gcTimeMs);
    // Housekeeping only: it must not keep a Node, Bun or Deno process alive.
    (entry.gcTimer as { unref?: () => void } | undefined)?.unref?.();
  };
  observer.onActiveChange((active) => {
    if (active) clearTimeout(entry.gcTimer);
    else scheduleRemoval();
  });
  map.set(key, entry);
  // An observer created but never watched (e.g. during server rendering) is dropped as well.
  scheduleRemoval();
  return observer;
}

/**
 * The observer of process `id` shared by everyone using `client`: created on first use, dropped
 * when nobody has watched it for `gcTimeMs`. `options` apply when it is created; use
 * `setOptions` to change them later. `initialData` also seeds an observer that has no data yet,
 * never replaces data, and notifies nobody during the call (see `setInitialData`), so it may be
 * called while a UI renders.
 */
export function getProcessObserver(
  client: ObservableClient,
  id: string,
  options?: ProcessObserverOptions & ObserverRegistryOptions,
): ProcessObserver {
  const observer = lookUp(client, `process\u0000${id}`, () => new ProcessObserver(client.process, id, options), options);
  if (options?.initialData) observer.setInitialData(options.initialData);
  return observer;
}

/** The observer of the process list shared by everyone using `client` (see `getProcessObserver`). */
export function getProcessListObserver(
  client: ObservableClient,
  options?: ProcessListObserverOptions & ObserverRegistryOptions,
): ProcessListObserver {
  const observer = lookUp(client, 'list', () => new ProcessListObserver(client.process, options), options);
  if (options?.initialData) observer.setInitialData(options.initialData);
  return observer;
}

/** The log observer of process `id` shared by everyone using `client`: one stream for all. */
export function getLogsObserver(
  client: ObservableClient,
  id: string,
  options?: LogsObserverOptions & ObserverRegistryOptions,
): LogsObserver {
  return lookUp(client, `logs\u0000${id}`, () => new LogsObserver(client.process, id, options), options);
}
