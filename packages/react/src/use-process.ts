import {
  getProcessObserver,
  type ObservableClient,
  type PollingOptions,
  type ProcessInfo,
  type ProcessStatus,
} from '@sandproc/core';
import { useMemo, useSyncExternalStore } from 'react';
import { useObserverSubscribe } from './use-observer-subscribe.js';
import { usePollingOptions } from './use-polling-options.js';
import { useExitCallback } from './use-exit-callback.js';
import { isServer, noRefetch, useInitialState } from './initial-state.js';
import { useLatest } from './use-latest.js';
import { useSandprocClient } from './sandproc-context.js';

/** Options of {@link useProcess}. */
export interface UseProcessOptions extends PollingOptions<ProcessInfo> {
  /** Watch the process. `false` shows the last known state without requests. Default `true`. */
  enabled?: boolean;
  /**
   * A state known beforehand, e.g. fetched for server rendering: what the server renders (and
   * hydration starts from), and the observer's first state if it has none yet. No request if
   * it is final.
   */
  initialData?: ProcessInfo;
  /**
   * Called once when the process is seen to end (a settled status), with its final state; only
   * if this component saw it running first (not for a process that had already ended).
   */
  onExit?: (process: ProcessInfo) => void;
  /** Use this client instead of the provider's. */
  client?: ObservableClient;
}

/** What {@link useProcess} returns. */
export interface UseProcessResult {
  process: ProcessInfo | undefined;
  /** The process's status; `undefined` until known. */
  status: ProcessStatus | undefined;
  /** The exit code once the process ended; `null` while it runs or before it is known. */
  exitCode: number | null;
  /** The error of the last request; cleared by the next success. */
  error: unknown;
  /** Watching, no state yet and no error: the first request is on its way. */
  isLoading: boolean;
  /** A request is in flight. */
  isFetching: boolean;
  /** Polling goes on (watched, not paused, the process not ended). */
  isPolling: boolean;
  /** Requests the state now. */
  refetch: () => Promise<ProcessInfo | undefined>;
}


/**
 * The live state of process `id` (pid or name), polled until it ends. Every component watching
 * the same process through the same client shares one poll. No request is made on the server.
 */
export function useProcess(
  id: string | null | undefined,
  options: UseProcessOptions = {},
): UseProcessResult {
  const client = useSandprocClient(options.client);
  const enabled = options.enabled !== false && Boolean(id);
  const { initialData } = options;
  // Not on the server: the registry is shared by every request rendered with this client.
  const observer = id && !isServer() ? getProcessObserver(client, id, { initialData }) : undefined;
  const latest = useLatest(options);

  usePollingOptions(observer, enabled, options, latest);
  const subscribe = useObserverSubscribe(observer, enabled);
  const getInitialState = useInitialState(initialData);
  const state = useSyncExternalStore(subscribe, observer ? observer.getSnapshot : getInitialState, getInitialState);

  useExitCallback(id, state.data, (process) => latest.current.onExit?.(process));

  const refetch = observer ? observer.refetch : noRefetch;
  return useMemo(() => {
    const process = state.data;
    const ended = process !== undefined && process.status !== 'running';
    return {
      process,
      status: process?.status,
      exitCode: ended ? process.exitCode : null,
      error: state.error,
      isLoading: enabled && process === undefined && state.error === undefined,
      isFetching: state.isFetching,
      isPolling: state.isPolling,
      refetch,
    };
  }, [state, enabled, refetch]);
}
