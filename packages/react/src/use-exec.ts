import {
  ExecController,
  type ExecPhase,
  type ExecRequest,
  type ExecState,
  type ExecStatus,
  type LogRecord,
  type ObservableClient,
  type PollingOptions,
  type ProcessInfo,
  type ProcessStatus,
} from '@sandproc/core';
import { useEffect, useMemo, useSyncExternalStore } from 'react';
import { useExitCallback } from './use-exit-callback.js';
import { useLatest } from './use-latest.js';
import { useProcessLogs, type UseProcessLogsOptions, type UseProcessLogsResult } from './use-process-logs.js';
import { useSandproc } from './sandproc-context.js';

/** Options of {@link useExec}. */
export interface UseExecOptions {
  /** How the started process is polled until it ends. Default: every 1000 ms, backoff on errors. */
  polling?: PollingOptions<ProcessInfo> | undefined;
  /**
   * Stream the started process's output into `logs` (`true`, or the options of
   * `useProcessLogs`). Default `false` (`true` when `onLine` is given).
   */
  logs?: boolean | Omit<UseProcessLogsOptions, 'enabled' | 'client' | 'onLine'> | undefined;
  /** Called for every line of the started process's output (enables `logs`). */
  onLine?: ((line: LogRecord) => void) | undefined;
  /** Called once when the started process ends, with its final state. */
  onExit?: ((process: ProcessInfo) => void) | undefined;
  /** Use this client instead of the provider's. */
  client?: ObservableClient | undefined;
}

/** What {@link useExec} returns. */
export interface UseExecResult {
  /**
   * Starts a process; resolves with it as started. Rejects with the client's error when the
   * request fails (then also in `error`, with `status: 'error'`).
   */
  exec: (request: ExecRequest) => Promise<ProcessInfo>;
  /** `idle → starting → running → completed | failed | stopped | killed`, or `error`: `phase` and `processStatus` in one. */
  status: ExecStatus;
  /** What the hook is doing: `idle`, `starting` (the start request is on its way), `started`, or `error` (the start failed). */
  phase: ExecPhase;
  /** The started process's own status; `undefined` until it started. */
  processStatus: ProcessStatus | undefined;
  /** The started process, kept up to date until it ends. */
  process: ProcessInfo | undefined;
  /** The error of the last request (start, stop, kill or poll). */
  error: unknown;
  /** Why the start failed (`phase: 'error'`). */
  startError: unknown;
  /** The error of the last poll of the started process; cleared by the next successful poll. */
  pollError: unknown;
  /** The error of the last `stop` or `kill`. */
  signalError: unknown;
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
  const { client, cache } = useSandproc(options.client);
  const latest = useLatest(options);
  // One controller per component, client and cache; creating one has no side effect (StrictMode-safe).
  const controller = useMemo(() => new ExecController(client, { cache }), [client, cache]);
  // Every render: a function interval is still read afresh by the controller at each poll.
  const { polling } = options;
  useEffect(() => {
    controller.setOptions({ polling });
  }, [controller, polling]);
  const state: ExecState = useSyncExternalStore(controller.subscribe, controller.getSnapshot, controller.getSnapshot);

  const pid = state.process?.pid;
  // One key per run (a reused pid or name starts later): each run reports its end once.
  const run = pid && pid + state.process?.startedAt?.getTime();
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
      ...state,
      exec: controller.exec,
      stop: controller.stop,
      kill: controller.kill,
      reset: controller.reset,
      logs,
    }),
    [controller, state, logs],
  );
}
