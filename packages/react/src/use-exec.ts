import {
  ExecController,
  type ExecRequest,
  type ExecState,
  type ExecStatus,
  type LogRecord,
  type ObservableClient,
  type PollingOptions,
  type ProcessInfo,
} from '@sandproc/core';
import { useMemo, useSyncExternalStore } from 'react';
import { useExitCallback } from './use-exit-callback.js';
import { useLatest } from './use-latest.js';
import { useProcessLogs, type UseProcessLogsOptions, type UseProcessLogsResult } from './use-process-logs.js';
import { useSandprocClient } from './sandproc-context.js';

/** Options of {@link useExec}. */
export interface UseExecOptions {
  /** How the started process is polled until it ends. Default: every 1000 ms, backoff on errors. */
  polling?: PollingOptions<ProcessInfo>;
  /**
   * Stream the started process's output into `logs` (`true`, or the options of
   * `useProcessLogs`). Default `false` (`true` when `onLine` is given).
   */
  logs?: boolean | Omit<UseProcessLogsOptions, 'enabled' | 'client' | 'onLine'>;
  /** Called for every line of the started process's output (enables `logs`). */
  onLine?: (line: LogRecord) => void;
  /** Called once when the started process ends, with its final state. */
  onExit?: (process: ProcessInfo) => void;
  /** Use this client instead of the provider's. */
  client?: ObservableClient;
}

/** What {@link useExec} returns. */
export interface UseExecResult {
  /**
   * Starts a process; resolves with it as started. Rejects with the client's error when the
   * request fails (then also in `error`, with `status: 'error'`).
   */
  exec: (request: ExecRequest) => Promise<ProcessInfo>;
  /** `idle → starting → running → completed | failed | stopped | killed`, or `error`. */
  status: ExecStatus;
  /** The started process, kept up to date until it ends. */
  process: ProcessInfo | undefined;
  /** The error of the last request. */
  error: unknown;
  /** Stops the process (SIGTERM to its group); resolves with its state after the request. */
  stop: () => Promise<ProcessInfo | undefined>;
  /** Kills the process (SIGKILL by default, or `killSignal`). */
  kill: (killSignal?: string) => Promise<ProcessInfo | undefined>;
  /** Forgets the process (it keeps running) and goes back to `idle`. */
  reset: () => void;
  /** The started process's output when `logs` (or `onLine`) is set; else always empty and idle. */
  logs: UseProcessLogsResult;
}

/**
 * Starts processes and follows the current one to its end: a state machine with `exec`,
 * `stop`, `kill` and `reset`. No request is made until `exec` is called.
 */
export function useExec(options: UseExecOptions = {}): UseExecResult {
  const client = useSandprocClient(options.client);
  const latest = useLatest(options);
  // One controller per component and client; creating one has no side effect (StrictMode-safe).
  const controller = useMemo(
    () =>
      new ExecController(client, {
        get polling() {
          return latest.current.polling;
        },
      }),
    [client, latest],
  );
  const state: ExecState = useSyncExternalStore(
    controller.subscribe,
    controller.getSnapshot,
    controller.getSnapshot,
  );

  const pid = state.process?.pid;
  // One key per run (a reused pid or name starts later): each run reports its end once.
  const run = pid && pid + state.process!.startedAt?.getTime();
  useExitCallback(run, state.process, (process) => latest.current.onExit?.(process), true);

  const logsOption = options.logs;
  const logsOptions = typeof logsOption === 'object' ? logsOption : {};
  const logs = useProcessLogs(pid, {
    ...logsOptions,
    enabled: Boolean(logsOption) || options.onLine !== undefined,
    onLine: (line) => latest.current.onLine?.(line),
    client,
  });

  return useMemo(
    () => ({
      exec: controller.exec,
      status: state.status,
      process: state.process,
      error: state.error,
      stop: controller.stop,
      kill: controller.kill,
      reset: controller.reset,
      logs,
    }),
    [controller, state, logs],
  );
}
