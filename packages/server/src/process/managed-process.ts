import type { ChildProcess } from 'node:child_process';
import { startChildRun } from './child-run.js';
import { OutputLog } from './output-log.js';
import type { ProcessRequest, ProcessStatus } from './process-status.js';
import { ProcessGroups } from './process-groups.js';
import { terminatesByDefault } from './signal-group.js';

/** Everything a {@link ManagedProcess} needs to start (and restart) its command. */
export interface ManagedProcessSettings {
  request: ProcessRequest;
  name: string;
  /** Absolute working directory, already checked to exist. */
  cwd: string | undefined;
  env: NodeJS.ProcessEnv;
  restartDelayMs: number;
  stopGraceMs: number;
  /** Unread bytes the stdin pipe may hold; a write past it is refused (`'full'`). */
  stdinBufferBytes: number;
  outputMemoryBytes: number;
  chunkRecords: boolean;
}

/** Result of a stdin write. */
export type StdinWriteResult = 'written' | 'no-stdin' | 'closed' | 'exited' | 'full';

const DEFAULT_KEEP_ALIVE_SECONDS = 600;

/**
 * One process record: a command run as `sh -c` in its own process group, restarted on failure
 * when asked, with a stable public pid (the first child's pid) across restarts.
 */
export class ManagedProcess {
  readonly name: string;
  readonly command: string;
  readonly workingDir: string;
  readonly restartOnFailure: boolean;
  readonly maxRestarts: number;
  /** As requested, until a stop or kill request (or the keepAlive deadline) clears it, as on the real server. */
  get keepAlive(): boolean { return this.#keepAlive; }
  readonly hasStdin: boolean;
  readonly output: OutputLog;
  /** The process groups this record created (one per start) that still have members. */
  readonly groups = new ProcessGroups();
  #settings: ManagedProcessSettings;
  #publicPid = 0;
  #child: ChildProcess | undefined;
  #status: ProcessStatus = 'running';
  #exitCode = 0;
  #lastFailureCode = 0;
  #startedAt = new Date();
  #completedAt: Date | undefined;
  #restartCount = 0;
  #stopRequested = false;
  #keepAlive: boolean;
  /** Signals sent by kill requests to the current run: dying of one of them means `killed`. */
  readonly #killSignals = new Set<NodeJS.Signals>();
  /** Server shutdown: whatever the exit, no restart. */
  #destroyed = false;
  #stdinClosed = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #pendingRestart: { exitCode: number; failedAt: Date } | undefined;
  #deadlineTimer: NodeJS.Timeout | undefined;
  #graceTimer: NodeJS.Timeout | undefined;
  #finished = false;
  readonly #finishedListeners = new Set<() => void>();

  constructor(settings: ManagedProcessSettings) {
    this.#settings = settings;
    const { request } = settings;
    this.name = settings.name;
    this.command = request.command;
    this.workingDir = request.workingDir ?? '';
    this.restartOnFailure = request.restartOnFailure ?? false;
    this.maxRestarts = request.maxRestarts ?? 0;
    this.#keepAlive = request.keepAlive ?? false;
    this.hasStdin = request.stdin ?? false;
    this.output = new OutputLog({ memoryBytes: settings.outputMemoryBytes, chunkRecords: settings.chunkRecords });
  }

  /** Spawns the first child. Throws if the operating system refuses to spawn. */
  start(): void {
    this.#spawnChild();
    this.#publicPid = this.#child?.pid ?? 0;
    const seconds = this.keepAlive ? (this.#settings.request.timeout ?? DEFAULT_KEEP_ALIVE_SECONDS) : 0;
    if (seconds > 0) {
      this.#deadlineTimer = setTimeout(() => this.kill('SIGKILL'), seconds * 1000);
      this.#deadlineTimer.unref();
    }
  }

  get pid(): number { return this.#publicPid; }
  get status(): ProcessStatus { return this.#status; }
  get exitCode(): number { return this.#exitCode; }
  get startedAt(): Date { return this.#startedAt; }
  get completedAt(): Date | undefined { return this.#completedAt; }
  get restartCount(): number { return this.#restartCount; }
  /**
   * Between a failed run and its restart: the failure (exit code and time). The real server shows
   * the process `failed` with that exit code, `completedAt` and `restartCount` already counting the
   * coming restart during this window (strict mode does too).
   */
  get pendingRestart(): { exitCode: number; failedAt: Date } | undefined { return this.#pendingRestart; }
  get finished(): boolean { return this.#finished; }

  /** Calls `listener` once the process reached its final status. Returns the unsubscribe function. */
  onFinished(listener: () => void): () => void {
    if (this.#finished) {
      queueMicrotask(listener);
      return () => undefined;
    }
    this.#finishedListeners.add(listener);
    return () => this.#finishedListeners.delete(listener);
  }

  /**
   * SIGTERM (then SIGCONT, so that a stopped process gets it) to the group, SIGKILL after the grace.
   * Returns false if the process is not running.
   */
  stop(): boolean {
    if (this.#status !== 'running') return false;
    this.#stopRequested = true;
    this.#keepAlive = false;
    this.output.notice('[Process is being gracefully terminated]');
    if (this.#cancelPendingRestart('stopped')) return true;
    this.#signal('SIGTERM');
    this.#signal('SIGCONT');
    const grace = this.#settings.stopGraceMs;
    if (grace > 0 && this.#graceTimer === undefined) {
      this.#graceTimer = setTimeout(() => this.#signal('SIGKILL'), grace);
      this.#graceTimer.unref();
    }
    return true;
  }

  /**
   * Sends `signal` (default SIGKILL) to the group. The process ends `killed` only if it dies of a
   * signal a kill request sent; one that handles or ignores the signal carries on (restart policy
   * included). While a restart is pending, a signal that ends processes by default cancels the
   * restart (`killed`) and any other does nothing. Returns false if the process is not running.
   */
  kill(signal: NodeJS.Signals = 'SIGKILL'): boolean {
    if (this.#status !== 'running') return false;
    if (this.#restartTimer !== undefined && !terminatesByDefault(signal)) return true;
    this.#keepAlive = false;
    this.output.notice(signal === 'SIGKILL' ? '[Process is being forcefully killed]' : `[Process is being sent ${signal}]`);
    if (this.#cancelPendingRestart('killed')) return true;
    this.#killSignals.add(signal);
    this.#signal(signal);
    return true;
  }

  /**
   * For a process that exited by itself (`completed` or `failed`) while members of its process
   * groups live on (a background child of the command): sends `signal` to those groups (SIGTERM is
   * followed by SIGCONT). Returns false otherwise, or if no group has members left. After a stop or
   * kill the server has already sent SIGKILL to the group, so only zombies can remain there.
   */
  signalLeftovers(signal: NodeJS.Signals): boolean {
    if (!this.#finished || (this.#status !== 'completed' && this.#status !== 'failed')) return false;
    const signalled = this.groups.signalAll(signal);
    if (signalled > 0 && signal === 'SIGTERM') this.groups.signalAll('SIGCONT');
    return signalled > 0;
  }

  /**
   * Writes raw bytes to the child's stdin, or nothing (`'full'`) when the bytes the process has not
   * read yet plus `data` would pass `stdinBufferBytes`.
   */
  writeStdin(data: Buffer): StdinWriteResult {
    if (!this.hasStdin) return 'no-stdin';
    if (this.#status !== 'running' || this.#child === undefined) return 'exited';
    const stdin = this.#child.stdin;
    if (this.#stdinClosed || stdin === null || stdin.destroyed || stdin.writableEnded) return 'closed';
    if (stdin.writableLength + data.length > this.#settings.stdinBufferBytes) return 'full';
    stdin.write(data);
    return 'written';
  }

  /** Closes the child's stdin (EOF). Idempotent. */
  closeStdin(): void {
    this.#stdinClosed = true;
    const stdin = this.#child?.stdin;
    if (stdin && !stdin.destroyed && !stdin.writableEnded) stdin.end();
  }

  /** SIGKILL to every group this record created (server shutdown). */
  destroy(): void {
    this.#destroyed = true;
    this.#killSignals.add('SIGKILL');
    clearTimeout(this.#restartTimer);
    clearTimeout(this.#deadlineTimer);
    clearTimeout(this.#graceTimer);
    this.groups.signalAll('SIGKILL');
    if (this.#status === 'running' && this.#child === undefined) this.#finish('killed', -1);
  }

  #signal(signal: NodeJS.Signals): void {
    const child = this.#child;
    if (child?.pid !== undefined) this.groups.signalOne(child.pid, signal);
  }

  #cancelPendingRestart(status: ProcessStatus): boolean {
    if (this.#restartTimer === undefined) return false;
    clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    this.#pendingRestart = undefined;
    this.#finish(status, this.#lastFailureCode);
    return true;
  }

  #spawnChild(): void {
    const child = startChildRun({
      command: this.command,
      cwd: this.#settings.cwd,
      env: this.#settings.env,
      stdin: this.hasStdin,
      onOutput: (stream, chunk) => this.output.write(stream, chunk),
      onExit: (code, signal) => this.#onChildExit(code, signal),
    });
    this.#child = child;
    this.#stdinClosed = false;
    this.#killSignals.clear();
    this.#startedAt = new Date();
    this.#completedAt = undefined;
    this.#exitCode = 0;
    if (child.pid !== undefined) this.groups.add(child.pid);
    child.stdin?.on('error', () => { this.#stdinClosed = true; });
  }

  #onChildExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.output.flushPartialLines();
    const groupId = this.#child?.pid;
    this.#child = undefined;
    this.groups.prune();
    const exitCode = signal !== null || code === null ? -1 : code;
    const killed = this.#destroyed || (signal !== null && this.#killSignals.has(signal));
    if (killed || this.#stopRequested) {
      if (groupId !== undefined) this.groups.signalOne(groupId, 'SIGKILL');
      const status = exitCode === 0 ? 'completed' : killed ? 'killed' : 'stopped';
      this.#finish(status, exitCode);
      return;
    }
    if (exitCode === 0) {
      this.#finish('completed', 0);
      return;
    }
    const unlimited = this.maxRestarts < 0;
    if (this.restartOnFailure && (unlimited || this.#restartCount < this.maxRestarts)) {
      const attempt = this.#restartCount + 1;
      this.#lastFailureCode = exitCode;
      this.#pendingRestart = { exitCode, failedAt: new Date() };
      this.output.notice(`[Process failed with exit code ${exitCode}. Attempting restart ${attempt}/${unlimited ? 'unlimited' : this.maxRestarts}...]`, true);
      this.#restartTimer = setTimeout(() => this.#restart(), this.#settings.restartDelayMs);
      return;
    }
    this.#finish('failed', exitCode);
  }

  #restart(): void {
    this.#restartTimer = undefined;
    this.#pendingRestart = undefined;
    this.#restartCount++;
    try {
      this.#spawnChild();
    } catch {
      this.#finish('failed', this.#lastFailureCode);
    }
  }

  #finish(status: ProcessStatus, exitCode: number): void {
    if (this.#finished) return;
    this.#finished = true;
    clearTimeout(this.#deadlineTimer);
    clearTimeout(this.#graceTimer);
    this.#status = status;
    this.#exitCode = exitCode;
    this.#completedAt = new Date();
    this.output.end();
    for (const listener of [...this.#finishedListeners]) listener();
    this.#finishedListeners.clear();
  }
}
