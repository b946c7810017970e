import type { ContainmentMode } from './process/launch-plan.js';

export type { ContainmentMode };

/** How closely the server follows the real Blaxel sandbox API. */
export type CompatibilityMode = 'extended' | 'strict';

/** Options of {@link createSandboxServer}. Every option is optional. */
export interface SandboxServerOptions {
  /** TCP port to listen on. `0` picks any free port. Default `8080`. */
  port?: number;
  /** Interface to listen on. Default `'127.0.0.1'`. */
  host?: string;
  /** Bearer token every request must carry. Default: a random 32-byte hex token (see `server.token`). */
  token?: string;
  /** Require the bearer token. `false` is refused unless `host` is a loopback address. Default `true`. */
  auth?: boolean;
  /** Origins that get CORS headers (exact match, e.g. `'http://localhost:5173'`). Default: none. */
  corsOrigins?: string[];
  /**
   * `'extended'` (default) serves the improvements of PROTOCOL.md §7–8; `'strict'` reproduces the
   * real Blaxel server byte for byte where they differ (chunk prefixes, 200 on unknown stream id,
   * concatenated `logs`, no `since`, kill ignores its signal).
   */
  compatibility?: CompatibilityMode;
  /** Period of `[keepalive]` lines on `/logs/stream`, in milliseconds. Default `30000`. */
  keepaliveIntervalMs?: number;
  /** Period of `{"type":"keepalive"}` objects on the NDJSON exec stream, in milliseconds. Default `5000`. */
  ndjsonKeepaliveIntervalMs?: number;
  /** Delay before a restart after a failure (`restartOnFailure`), in milliseconds. Default `1000`. */
  restartDelayMs?: number;
  /** Largest JSON request body, in bytes. Default `1048576` (1 MiB). */
  maxBodyBytes?: number;
  /** Largest `POST /process/{id}/stdin` body, in bytes. Default `8388608` (8 MiB). */
  maxStdinBytes?: number;
  /**
   * Input a process's stdin pipe may hold that the process has not read yet, in bytes. A write
   * that would take the unread bytes past it answers 429 and writes nothing. Default `16777216`
   * (16 MiB).
   */
  stdinBufferBytes?: number;
  /**
   * Output kept in memory per process, in bytes (UTF-16 text size plus a small per-record
   * overhead). Older records are dropped past it. Default `8388608` (8 MiB).
   */
  outputMemoryBytes?: number;
  /**
   * Output kept in memory over all finished processes, in bytes. Past it, the oldest finished
   * processes lose their retained output first. Default `67108864` (64 MiB).
   */
  totalOutputMemoryBytes?: number;
  /**
   * Long-lived answers open at once — log streams, NDJSON exec streams and `/logs` answers still
   * being sent — more answer 429. Default `256`.
   */
  maxStreams?: number;
  /** Grace after a stop (SIGTERM) before the group gets SIGKILL, in milliseconds. `0` = never. Default `10000`. */
  stopGraceMs?: number;
  /**
   * Called with one line, fix included, the first time a request is refused (403) for its
   * `Origin` (not a CORS origin) or its `Host` (the DNS-rebinding check); each distinct origin or
   * host is reported once. Default: none (the CLI writes these lines to stderr).
   */
  onRequestRefused?: (message: string) => void;
  /**
   * Give children every variable of the server's environment. Default `false`: only `PATH`, `HOME`,
   * `USER`, `LOGNAME`, `SHELL`, `LANG`, `LANGUAGE`, `LC_*`, `TERM`, `TMPDIR`, `TZ`, plus
   * {@link passEnv} and the request's `env`. `SANDPROC_TOKEN` and any variable holding the token
   * are never passed.
   */
  inheritEnv?: boolean;
  /** Names of variables of the server's environment passed to children on top of the default set. Default `[]`. */
  passEnv?: string[];
  /**
   * Run every command in bubblewrap (Linux, `bwrap` installed): the host filesystem read-only,
   * writable {@link workspace}, private `HOME` and `/tmp`, its own PID namespace and `/proc`, all
   * capabilities dropped. `createSandboxServer` rejects when bubblewrap cannot run. Default `false`.
   */
  isolate?: boolean;
  /**
   * The writable directory of isolated mode (created if missing, never removed), the commands'
   * default working directory. Default: a fresh directory under a `sandproc-isolated-*` run
   * directory in the system's temporary directory, removed by `close()`.
   */
  workspace?: string;
  /** Isolated mode keeps the host's network. `false` = a private loopback only. Default `true`. */
  network?: boolean;
  /**
   * Processes (commands) running at once; a start past it answers 422 and starts nothing.
   * Default: no limit.
   */
  maxProcesses?: number;
  /**
   * CPU time of each process of a command, in seconds (RLIMIT_CPU). Past it the process gets
   * SIGXCPU (SIGKILL one second later); a command ended by it is `failed` and its stderr says why.
   * Default: no limit.
   */
  maxCpuSeconds?: number;
  /**
   * Data memory (heap and private writable mappings, RLIMIT_DATA) of each process of a command, in
   * bytes. Allocations past it fail. Default: no limit.
   */
  maxMemoryBytes?: number;
}

/** Options with every default applied. */
export interface ResolvedOptions {
  port: number;
  host: string;
  token: string;
  auth: boolean;
  corsOrigins: string[];
  compatibility: CompatibilityMode;
  keepaliveIntervalMs: number;
  ndjsonKeepaliveIntervalMs: number;
  restartDelayMs: number;
  maxBodyBytes: number;
  maxStdinBytes: number;
  stdinBufferBytes: number;
  outputMemoryBytes: number;
  totalOutputMemoryBytes: number;
  stopGraceMs: number;
  maxStreams: number;
  onRequestRefused: ((message: string) => void) | undefined;
  inheritEnv: boolean;
  passEnv: string[];
  isolate: boolean;
  /** The workspace in isolated mode (resolved), else undefined. */
  workspace: string | undefined;
  network: boolean;
  maxProcesses: number | undefined;
  maxCpuSeconds: number | undefined;
  maxMemoryBytes: number | undefined;
  /** How commands are contained, detected at startup. */
  containment: ContainmentMode;
  /** Why the server fell back to process groups, when it did. */
  containmentFallbackReason: string | undefined;
  /** The shell commands run in (`<shell> -c <command>`). */
  shell: string;
}
