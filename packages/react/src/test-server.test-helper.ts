import { createClient, ObserverCache, type SandprocClient } from '@sandproc/core';
import { createSandboxServer } from '@sandproc/server';
import { randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    await Promise.all(gateFiles.splice(0).map((path) => rm(path, { force: true })));
  });
  return holder;
}

const gateFiles: string[] = [];

export interface Gate {
  /**
   * A shell snippet that waits until the test opens the gate (up to 30 s) and fails if it never
   * does: chain the rest of the command with `&&`.
   */
  wait: string;
  /** Lets the commands waiting at the gate go on (creates the marker file). */
  open(): Promise<void>;
}

/**
 * A gate for a command on the local server, so a test decides when a process goes on instead of
 * racing a `sleep` (the process and the test share the file system).
 */
export function createGate(): Gate {
  const path = join(tmpdir(), `sandproc-react-gate-${randomUUID()}`);
  gateFiles.push(path);
  return {
    wait: `i=0; while [ ! -e '${path}' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done; [ -e '${path}' ]`,
    open: () => writeFile(path, ''),
  };
}

export interface CountingClient {
  client: SandprocClient;
  /** Requests made so far with this method to this path. */
  count(method: string, path: string): number;
  /** Every request made so far, as `METHOD path`. */
  requests: string[];
}

/** A client whose `fetch` records every request and then calls the real global fetch. */
export function countingClient(server: SandboxServer): CountingClient {
  const requests: string[] = [];
  const countingFetch: typeof fetch = (input, init) => {
    const url = typeof input === 'string' || input instanceof URL ? String(input) : input.url;
    const method = init?.method ?? (typeof input === 'object' && 'method' in input ? input.method : 'GET');
    requests.push(`${method.toUpperCase()} ${new URL(url).pathname}`);
    return fetch(input, init);
  };
  const client = createClient({ baseUrl: server.url, token: server.token, fetch: countingFetch });
  return {
    client,
    requests,
    count: (method, path) => requests.filter((request) => request === `${method} ${path}`).length,
  };
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
  const stop = observer.subscribe(() => {
    const { isFetching } = observer.getSnapshot();
    if (isFetching && !wasFetching) fetches++;
    wasFetching = isFetching;
  }, { activate: false });
  return {
    get fetches() {
      return fetches;
    },
    stop,
  };
}

/** Appends `value` to `list` unless it equals the last element. */
export function pushChange<T>(list: T[], value: T): void {
  if (list.length === 0 || !Object.is(list.at(-1), value)) list.push(value);
}

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
