import type { ProcessInfo, ProcessStatus } from '../types.js';
import type { PollingState } from './polling-observer.js';

/** What a binding shows of any polling observer's state. */
export interface PollingView {
  /** The error of the last request; cleared by the next success. */
  error: unknown;
  /** Consecutive failed requests (the poll backs off while it grows). */
  failureCount: number;
  /** Watching, no data yet and no error: the first request is on its way. */
  isLoading: boolean;
  /** A request is in flight. */
  isFetching: boolean;
  /** Polling goes on (watched, not paused, the data not settled). */
  isPolling: boolean;
}

/** What a binding (`useProcess`) shows of a process observer's state. */
export interface ProcessView extends PollingView {
  process: ProcessInfo | undefined;
  /** The process's status; `undefined` until known. */
  status: ProcessStatus | undefined;
  /** The exit code once the process ended; `null` while it runs or before it is known. */
  exitCode: number | null;
}

/** What a binding (`useProcessList`) shows of a process list observer's state. */
export interface ProcessListView extends PollingView {
  /** Every process the sandbox knows (any status); `undefined` until known. */
  processes: ProcessInfo[] | undefined;
}

function pollingView(state: PollingState<unknown>, watching: boolean): PollingView {
  return {
    error: state.error,
    failureCount: state.failureCount,
    isLoading: watching && state.data === undefined && state.error === undefined,
    isFetching: state.isFetching,
    isPolling: state.isPolling,
  };
}

/** The view of a process observer's `state`; `watching`: the binding watches (enabled). */
export function processView(state: PollingState<ProcessInfo>, watching: boolean): ProcessView {
  const process = state.data;
  return {
    process,
    status: process?.status,
    exitCode: process !== undefined && process.status !== 'running' ? process.exitCode : null,
    ...pollingView(state, watching),
  };
}

/** The view of a process list observer's `state`; `watching`: the binding watches (enabled). */
export function processListView(state: PollingState<ProcessInfo[]>, watching: boolean): ProcessListView {
  return { processes: state.data, ...pollingView(state, watching) };
}
