import { ObserverCache, type ObservableClient, type SandprocClient } from '@sandproc/core';
import { createContext, createElement, useContext, useMemo, useState, type ReactNode } from 'react';

interface SandprocContextValue {
  client: ObservableClient;
  cache: ObserverCache;
}

const SandprocContext = /* @__PURE__ */ createContext<SandprocContextValue | null>(null);

/** Props of {@link SandprocProvider}. */
export interface SandprocProviderProps {
  /** The client the hooks below use (from `createClient`). Create it once, not on every render. */
  client: ObservableClient;
  /**
   * The cache of the shared observers of the hooks below (one poll, one stream per process).
   * Default: one created by this provider when it mounts. On a server each render of the
   * provider (each request) gets its own, so no request sees another's data. Pass one to share
   * it beyond this tree or to set its `gcTimeMs`.
   */
  cache?: ObserverCache | undefined;
  children?: ReactNode | undefined;
}

/** Makes `client` and an observer cache available to the sandproc hooks of the tree below. */
export function SandprocProvider({ client, cache, children }: SandprocProviderProps) {
  const [ownCache] = useState(() => cache ?? new ObserverCache());
  const shared = cache ?? ownCache;
  const value = useMemo(() => ({ client, cache: shared }), [client, shared]);
  return createElement(SandprocContext.Provider, { value }, children);
}

/**
 * The client of the nearest {@link SandprocProvider}, or `client` when given.
 * Throws when there is neither. Typed as the client of `createClient`; pass a type argument
 * when the provider holds another {@link ObservableClient}.
 */
export function useSandprocClient<TClient extends ObservableClient = SandprocClient>(client?: TClient): TClient {
  return useSandproc(client).client as TClient;
}

/**
 * The client (`client` when given, else the provider's) and the observer cache the hooks use:
 * the provider's, or without a provider (a hook given its own `client`) one of the calling
 * component's own, whose observers are not shared.
 */
export function useSandproc(client?: ObservableClient): SandprocContextValue {
  const fromContext = useContext(SandprocContext);
  const [ownCache] = useState(() => new ObserverCache());
  const found = client ?? fromContext?.client;
  if (!found) throw new Error('sandproc: no client. Wrap the tree in <SandprocProvider client={...}>.');
  return { client: found, cache: fromContext?.cache ?? ownCache };
}
