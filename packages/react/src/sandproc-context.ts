import type { ObservableClient, SandprocClient } from '@sandproc/core';
import { createContext, createElement, useContext, type ReactNode } from 'react';

const SandprocContext = /* @__PURE__ */ createContext<ObservableClient | null>(null);

/** Props of {@link SandprocProvider}. */
export interface SandprocProviderProps {
  /** The client the hooks below use (from `createClient`). Create it once, not on every render. */
  client: ObservableClient;
  children?: ReactNode;
}

/** Makes `client` available to the sandproc hooks of the tree below. */
export function SandprocProvider({ client, children }: SandprocProviderProps) {
  return createElement(SandprocContext.Provider, { value: client }, children);
}

/**
 * The client of the nearest {@link SandprocProvider}, or `client` when given.
 * Throws when there is neither. Typed as the client of `createClient`; pass a type argument
 * when the provider holds another {@link ObservableClient}.
 */
export function useSandprocClient<TClient extends ObservableClient = SandprocClient>(
  client?: TClient,
): TClient {
  const fromContext = useContext(SandprocContext);
  const found = client ?? fromContext;
  if (!found) throw new Error('sandproc: no client. Wrap the tree in <SandprocProvider client={...}>.');
  return found as TClient;
}
