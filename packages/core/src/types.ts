/**
 * Public data types of the sandbox process API, as users of `@sandproc/core` see them
 * (wire values normalized: see `normalize-process.ts`).
 */

/** Status of a process. There is no "starting" state on the wire. */
export type ProcessStatus = 'running' | 'completed' | 'failed' | 'stopped' | 'killed';

/** The statuses after which a process does not change any more (unless restarted on failure). */
export type TerminalProcessStatus = Exclude<ProcessStatus, 'running'>;

/** Which output stream a log record came from. */
export type LogStreamName = 'stdout' | 'stderr';

/** Body of `POST /process`. `timeout` is in seconds, as on the wire. */
export interface ExecRequest {
  /** Run as `sh -c <command>` in a new process group. Required, non-empty. */
  command: string;
  /** Name of the process. Default: `proc-` + 8 random characters. */
  name?: string | undefined;
  /** Working directory; `~` expands to `$HOME`. Default: the server's. */
  workingDir?: string | undefined;
  /** Environment variables merged over the server's. */
  env?: Record<string, string> | undefined;
  /** Hold the response until the process exits. Default `false`. */
  waitForCompletion?: boolean | undefined;
  /**
   * Bound for `waitForCompletion`/`waitForPorts`, and the keepAlive auto-kill deadline, in
   * **seconds**. 0 = none. A whole number from 0 to 2147483 (about 24.8 days, the longest a
   * `setTimeout` holds); `exec` refuses anything else with an `InvalidArgumentError` before any
   * request (the real server holds up to 9,223,372,036 s and times out at once past it).
   */
  timeout?: number | undefined;
  /** Hold the response until each of these TCP ports accepts connections. */
  waitForPorts?: number[] | undefined;
  /** Restart (same pid/name) after a non-zero exit. Default `false`. */
  restartOnFailure?: boolean | undefined;
  /** Restart budget; negative = unlimited; 0 = never. */
  maxRestarts?: number | undefined;
  /** Keep the sandbox awake while running; auto-kill after `timeout` seconds (default 600). */
  keepAlive?: boolean | undefined;
  /** Keep a stdin pipe open for `writeStdin`/`closeStdin`. Default `false`. */
  stdin?: boolean | undefined;
}

/** A process, normalized from the wire. */
export interface ProcessInfo {
  /** Decimal pid as a string; stays the same across restarts. */
  pid: string;
  name: string;
  command: string;
  /** `""` when none was given. */
  workingDir: string;
  status: ProcessStatus;
  /** 0 while running; -1 after a signal. */
  exitCode: number;
  /** Start time (reset on each restart); `null` if the server sent none. */
  startedAt: Date | null;
  /** End time; `null` while running. */
  completedAt: Date | null;
  /** Inline output (the last 64 KiB on the server); `null` when not sent. */
  stdout: string | null;
  stderr: string | null;
  logs: string | null;
  restartOnFailure: boolean;
  maxRestarts: number;
  restartCount: number;
  keepAlive: boolean;
}

/** One line of output, as delivered by `streamLogs`. */
export interface LogRecord {
  stream: LogStreamName;
  /** The line without its trailing newline. */
  text: string;
  /** 0-based position of the record in the process's output (both streams counted together). */
  index: number;
}
