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
  /**
   * Origins that get CORS headers, compared exactly with the browser's `Origin` header, e.g.
   * `'http://localhost:5173'` (scheme, host and port; no path or trailing slash: anything else is
   * refused at start). Default: none.
   */
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
   * Parent directory of the server's run directory (a fresh `sandproc-run-*` folder created at
   * start, holding every process's output files and, in isolated mode, the private `HOME` and the
   * default workspace; removed by `close()`). Default: the operating system's temporary directory.
   */
  dataDir?: string;
  /**
   * Output kept on disk per process, in bytes (data plus a 40-byte index entry per block). Past
   * it the oldest output is dropped, in segments of an eighth of the cap, and readers are told how
   * many records they missed. Default `268435456` (256 MiB).
   */
  outputDiskBytes?: number;
  /**
   * Output kept on disk over all processes, in bytes. Past it, finished processes lose their oldest
   * output first (oldest process first), then the older segments of running ones. Default
   * `1073741824` (1 GiB).
   */
  totalOutputDiskBytes?: number;
  /** @deprecated Output now lives on disk: use {@link outputDiskBytes} (this is its alias). */
  outputMemoryBytes?: number;
  /** @deprecated Output now lives on disk: use {@link totalOutputDiskBytes} (this is its alias). */
  totalOutputMemoryBytes?: number;
  /**
   * Finished process records kept (running ones are always kept). Past it the oldest finished
   * records are forgotten, their output files removed; their id answers 404. Default `1000`.
   */
  maxFinishedProcesses?: number;
  /**
   * Time a connection may take to send a request's headers, in milliseconds (also bounds a
   * connection that sends nothing). Default `10000`.
   */
  headersTimeoutMs?: number;
  /** Time a client may take to send a whole request, body included, in milliseconds. Default `60000`. */
  requestTimeoutMs?: number;
  /** Time an idle keep-alive connection stays open after an answer, in milliseconds. Default `5000`. */
  keepAliveTimeoutMs?: number;
  /**
   * Open connections at once. A new connection past it closes the oldest idle one (no request in
   * flight); if none is idle, it is answered 429 `{"error"}` and closed. Default `1024`.
   */
  maxConnections?: number;
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
   * default working directory. Default: `workspace` in the server's run directory (under
   * {@link dataDir}), removed by `close()`. Commands never see the rest of the run directory (the
   * output files), even when it lies inside a given workspace.
   */
  workspace?: string;
  /** Isolated mode keeps the host's network. `false` = a private loopback only. Default `true`. */
  network?: boolean;
  /**
   * Isolated mode: host files or directories commands must not read (a token file, credentials);
   * inside the sandbox each one shows empty. Paths that do not exist are skipped. The CLI adds its
   * `--token-file`. Default `[]`.
   */
  hidePaths?: readonly string[];
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
  /**
   * Tasks (processes and threads) of one command at once, its whole tree counted together, held by
   * the kernel (a cgroup of the pids controller: Linux, as root). A fork past it fails, so a fork
   * bomb stops there; a command that reached it ends `failed` and its stderr says why. The server
   * refuses to start when it cannot create the cgroup. Default: no limit.
   */
  maxTasks?: number;
  /**
   * Memory of one command at once, in bytes, its whole tree counted together (RAM, with no swap on
   * top), held by the kernel (a cgroup of the memory controller: Linux, as root; at least 4 MiB).
   * Past it the kernel reclaims what it can, then its OOM killer ends a process of the command; a
   * command that reached it ends `failed` and its stderr says why. The server refuses to start
   * when it cannot create the cgroup. Default: no limit.
   */
  maxCommandMemoryBytes?: number;
  /**
   * CPU time of one command, in seconds, its whole tree counted together (every process it
   * started, those that already ended included), counted by the kernel in a cgroup of cgroup v1's
   * cpuacct controller (Linux, as root) and read by the server every 200 ms. Past it the server
   * kills the whole tree (SIGKILL), so the command uses at most about 0.2 s per CPU more; it ends
   * `failed` and its stderr says why. Each run counts from zero (a restart too). The server
   * refuses to start when it cannot create the cgroup. Default: no limit.
   */
  maxCommandCpuSeconds?: number;
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
  dataDir: string;
  outputDiskBytes: number;
  totalOutputDiskBytes: number;
  maxFinishedProcesses: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  stopGraceMs: number;
  maxStreams: number;
  onRequestRefused: ((message: string) => void) | undefined;
  inheritEnv: boolean;
  passEnv: string[];
  isolate: boolean;
  /** The workspace in isolated mode (resolved), else undefined. */
  workspace: string | undefined;
  network: boolean;
  /** Paths shown empty inside the sandbox in isolated mode (resolved; missing ones left out), else `[]`. */
  hidePaths: string[];
  maxProcesses: number | undefined;
  maxCpuSeconds: number | undefined;
  maxMemoryBytes: number | undefined;
  maxTasks: number | undefined;
  maxCommandMemoryBytes: number | undefined;
  maxCommandCpuSeconds: number | undefined;
  /** How commands are contained, detected at startup. */
  containment: ContainmentMode;
  /** Why the server fell back to process groups, when it did. */
  containmentFallbackReason: string | undefined;
  /** The shell commands run in (`<shell> -c <command>`). */
  shell: string;
}
