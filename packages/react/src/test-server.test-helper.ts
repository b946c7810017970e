import { createClient, ObserverCache, type SandprocClient } from '@sandproc/core';
import { createSandboxServer } from '@sandproc/server';
import { countingFetch, removeGates, withoutEntityTags } from '@sandproc/test-utils';
import { StrictMode, createElement, type ReactNode } from 'react';
import { afterAll, beforeAll } from 'vitest';
import { SandprocProvider } from './index.js';

export type SandboxServer = Awaited<ReturnType<typeof createSandboxServer>>;

/** Starts a real local server for the file's tests (port 0) and closes it afterwards. */
export function useTestServer(): { readonly server: SandboxServer } {
  const holder = {} as { server: SandboxServer };
  beforeAll(async () => {
    holder.server = await createSandboxServer({ port: 0 });
  });
  afterAll(async () => {
    await holder.server?.close();
    await removeGates();
  });
  return holder;
}

export interface CountingClient {
  client: SandprocClient;
  /** Requests made so far with this method to this path. */
  count(method: string, path: string): number;
  /** Every request made so far, as `METHOD path`. */
  requests: string[];
}

/**
 * A client of `server` whose `fetch` records every request (see `countingFetch`); with
 * `entityTags: false`, the server's ETags are removed, as from a server without them (the real
 * sandbox-api: every poll a new body).
 */
export function countingClient(server: SandboxServer, { entityTags = true } = {}): CountingClient {
  const counting = countingFetch(entityTags ? undefined : withoutEntityTags());
  const client = createClient({ baseUrl: server.url, token: server.token, fetch: counting.fetch });
  return { client, requests: counting.requests, count: counting.count };
}

/** What {@link countPollFetches} needs of an observer (a process or process-list observer). */
interface FetchingObserver {
  subscribe(listener: () => void, options: { activate: false }): () => void;
  getSnapshot(): { isFetching: boolean };
}

/**
 * Counts the fetches of a shared observer's poll (each start of `isFetching`), where no render
 * batching hides any, without activating it: every request beyond them comes from a second poll.
 */
export function countPollFetches(observer: FetchingObserver): { readonly fetches: number; stop(): void } {
  let fetches = 0;
  let wasFetching = false;
  const stop = observer.subscribe(
    () => {
      const { isFetching } = observer.getSnapshot();
      if (isFetching && !wasFetching) fetches++;
      wasFetching = isFetching;
    },
    { activate: false },
  );
  return {
    get fetches() {
      return fetches;
    },
    stop,
  };
}

export { createGate, pushChange, type Gate } from '@sandproc/test-utils';

const caches = new WeakMap<SandprocClient, ObserverCache>();

/**
 * The observer cache every {@link wrapperFor} of `client` provides, so a test's separate
 * `renderHook` trees share observers as the components of one app do, and the test can look
 * the hooks' observers up.
 */
export function cacheFor(client: SandprocClient): ObserverCache {
  let cache = caches.get(client);
  if (!cache) {
    cache = new ObserverCache();
    caches.set(client, cache);
  }
  return cache;
}

/**
 * A `renderHook` wrapper that provides `client` and its test cache ({@link cacheFor}), inside
 * `StrictMode` when `strict`.
 */
export function wrapperFor(client: SandprocClient, strict = false) {
  const cache = cacheFor(client);
  return ({ children }: { children: ReactNode }) => {
    const tree = createElement(SandprocProvider, { client, cache }, children);
    return strict ? createElement(StrictMode, null, tree) : tree;
  };
}
