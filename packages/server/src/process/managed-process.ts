import type { FifoPool } from './fifo-pool.js';
import { Buffer } from 'node:buffer';
import { constants } from 'node:os';
import { startChildRun, type ChildRun } from './child-run.js';
import type { CgroupRunEvents, CgroupRunMark, CommandCgroup } from './command-cgroup.js';
import type { LaunchPlan } from './launch-plan.js';
import { OutputLog, type OutputLogOptions } from './output-log.js';
import type { ProcessRequest, ProcessStatus } from './process-status.js';
import { ProcessGroups } from './process-groups.js';
import type { CommandLimits } from './sandbox-init.js';
import { terminatesByDefault } from './signal-group.js';

/** Everything a {@link ManagedProcess} needs to start (and restart) its command. */
export interface ManagedProcessSettings {
  request: ProcessRequest;
  name: string;
  /** Absolute working directory of the spawn, already checked to exist. */
  cwd: string | undefined;
  /** What to spawn for each run (the same on restarts). */
  launch: LaunchPlan;
  /** Per-process limits in force, for the message a command past one gets. */
  limits: CommandLimits;
  /** The cgroups that limit the command's whole tree, if the server has such limits (joined by `launch`). */
  cgroup?: CommandCgroup;
  env: NodeJS.ProcessEnv;
  restartDelayMs: number;
  stopGraceMs: number;
  /** Unread bytes the stdin pipe may hold; a write past it is refused (`'full'`). */
  stdinBufferBytes: number;
  /** Where and how the output is kept on disk. */
  output: OutputLogOptions;
  /** Where the command's pipes come from (real pipes); without it, Node's UNIX sockets. */
  fifos?: FifoPool;
}

/** Result of a stdin write. */
export type StdinWriteResult = 'written' | 'no-stdin' | 'closed' | 'exited' | 'full';

const DEFAULT_KEEP_ALIVE_SECONDS = 600;

/** Signal names by number, to read a shell's `128 + N` status. */
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>(
  Object.entries(constants.signals).map(([name, number]) => [number, name as NodeJS.Signals]),
);

/**
 * One process record: a command run as `$SHELL -c` in its own PID namespace (or process group),
 * restarted on failure when asked, with a stable public pid (the first spawned child's pid)
 * across restarts.
 */
export class ManagedProcess {
  readonly name: string;
  readonly command: string;
  readonly workingDir: string;
  readonly restartOnFailure: boolean;
  readonly maxRestarts: number;
  /** As requested, until a stop or kill request (or the keepAlive deadline) clears it, as on the real server. */
  get keepAlive(): boolean {
    return this.#keepAlive;
  }
  readonly hasStdin: boolean;
  readonly output: OutputLog;
  /** The process trees this record created (one per start) that still have members. */
  readonly groups = new ProcessGroups();
  #settings: ManagedProcessSettings;
  #publicPid = 0;
  #run: ChildRun | undefined;
  #status: ProcessStatus = 'running';
  #exitCode = 0;
  #lastFailureCode = 0;
  #startedAt = new Date();
  #completedAt: Date | undefined;
  #restartCount = 0;
  /** The kernel's counters of the command's cgroups when the current run started. */
  #cgroupMark: CgroupRunMark | undefined;
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
  #stateRevision = 0;
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
    this.output = new OutputLog(settings.output);
  }

  /**
   * Spawns the first child and resolves once the command runs. Rejects with
   * `could not execute command '<command>': …` (and leaves no output files behind) if it cannot start.
   */
  async start(): Promise<void> {
    try {
      this.#spawnChild();
      this.#publicPid = this.#run?.child.pid ?? 0;
      await this.#run?.started;
    } catch (error) {
      this.#destroyed = true;
      this.output.dispose();
      throw new Error(
        `could not execute command '${this.command}': ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const seconds = this.keepAlive ? (this.#settings.request.timeout ?? DEFAULT_KEEP_ALIVE_SECONDS) : 0;
    if (seconds > 0) {
      this.#deadlineTimer = setTimeout(() => this.kill('SIGKILL'), seconds * 1000);
      this.#deadlineTimer.unref();
    }
  }

  get pid(): number {
    return this.#publicPid;
  }
  get status(): ProcessStatus {
    return this.#status;
  }
  get exitCode(): number {
    return this.#exitCode;
  }
  get startedAt(): Date {
    return this.#startedAt;
  }
  get completedAt(): Date | undefined {
    return this.#completedAt;
  }
  get restartCount(): number {
    return this.#restartCount;
  }
  /**
   * Between a failed run and its restart: the failure (exit code and time). The real server shows
   * the process `failed` with that exit code, `completedAt` and `restartCount` already counting the
   * coming restart during this window (strict mode does too).
   */
  get pendingRestart(): { exitCode: number; failedAt: Date } | undefined {
    return this.#pendingRestart;
  }
  get finished(): boolean {
    return this.#finished;
  }
  /** Grows with every change of what the Process object shows (status, times, restarts, output). */
  get revision(): number {
    return this.#stateRevision + this.output.revision;
  }

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
    this.output.notice(
      signal === 'SIGKILL' ? '[Process is being forcefully killed]' : `[Process is being sent ${signal}]`,
    );
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
    if (this.#status !== 'running' || this.#run === undefined) return 'exited';
    const stdin = this.#run.stdin;
    if (this.#stdinClosed || stdin === null || stdin.destroyed || stdin.writableEnded) return 'closed';
    if (stdin.writableLength + data.length > this.#settings.stdinBufferBytes) return 'full';
    stdin.write(data);
    return 'written';
  }

  /** Closes the child's stdin (EOF). Idempotent. */
  closeStdin(): void {
    this.#stdinClosed = true;
    const stdin = this.#run?.stdin;
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
    if (this.#status === 'running' && this.#run === undefined) this.#finish('killed', -1);
  }

  #signal(signal: NodeJS.Signals): void {
    if (this.#run !== undefined) this.groups.signalOne(this.#run.tree, signal);
  }

  /** The run went past its CPU time limit (its whole tree together): SIGKILL to all of it. */
  #endForCpuTime(): void {
    this.#signal('SIGKILL');
    this.#settings.cgroup?.signalMembers('SIGKILL');
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
    // Read before the spawn: a command may reach a limit before the spawn returns.
    this.#cgroupMark = this.#settings.cgroup?.startRun(() => this.#endForCpuTime());
    const run = startChildRun({
      launch: this.#settings.launch,
      cwd: this.#settings.cwd,
      env: this.#settings.env,
      stdin: this.hasStdin,
      fifos: this.#settings.fifos,
      onOutput: (stream, chunk) => this.output.write(stream, chunk),
      onExit: (code, signal) => this.#onChildExit(code, signal),
    });
    this.#run = run;
    this.#stdinClosed = false;
    this.#killSignals.clear();
    this.#startedAt = new Date();
    this.#completedAt = undefined;
    this.#exitCode = 0;
    this.#stateRevision++;
    if (run.child.pid !== undefined) this.groups.add(run.tree);
    run.stdin?.on('error', () => {
      this.#stdinClosed = true;
    });
  }

  /**
   * A shell reports a death by signal N of the command it waited for as status 128 + N (in a PID
   * namespace the init is a shell too): read it as that signal when the server sent it or a limit
   * sends it, so that a stopped, killed or limited process ends as a signalled one; any other
   * status is an exit code.
   */
  #readShellStatus(
    code: number | null,
    signal: NodeJS.Signals | null,
    killedForLimit: boolean,
  ): { code: number | null; signal: NodeJS.Signals | null } {
    if (signal !== null || code === null || code <= 128) return { code, signal };
    const named = SIGNAL_NAMES.get(code - 128);
    const expected = new Set<NodeJS.Signals>(this.#killSignals);
    if (this.#stopRequested) expected.add('SIGTERM').add('SIGKILL');
    // The kernel's OOM killer sends SIGKILL, and so does the server past the CPU time of the tree.
    if (killedForLimit) expected.add('SIGKILL');
    if (this.#settings.limits.cpuSeconds !== undefined) expected.add('SIGXCPU');
    return named !== undefined && expected.has(named) ? { code: null, signal: named } : { code, signal };
  }

  /**
   * Writes to stderr why a command past a per-process limit ended, where such a limit is the likely
   * cause (not when a limit of its whole tree, or the OOM killer, is known to have ended it).
   */
  #explainLimit(code: number | null, signal: NodeJS.Signals | null, killedForLimit: boolean): void {
    const { cpuSeconds, memoryBytes } = this.#settings.limits;
    let message: string | undefined;
    if (signal === 'SIGXCPU' && cpuSeconds !== undefined) {
      message = `sandproc: the command used its CPU time limit of ${cpuSeconds} s per process and was ended (SIGXCPU)`;
    } else if (
      !killedForLimit &&
      memoryBytes !== undefined &&
      !this.#killSignals.has(signal as NodeJS.Signals) &&
      !this.#stopRequested &&
      (signal !== null || (code ?? 0) > 128)
    ) {
      const how = signal ?? SIGNAL_NAMES.get((code ?? 0) - 128) ?? `status ${code}`;
      message = `sandproc: the command ended with ${how} while its memory is limited to ${Math.round(memoryBytes / 1048576)} MiB per process; it may have run out of memory`;
    }
    if (message !== undefined) this.output.write('stderr', Buffer.from(`${message}\n`));
  }

  /**
   * Writes to stderr what the kernel did to the command's whole tree in this run (its cgroups:
   * refused forks, processes ended for memory, the tree ended for its CPU time); returns whether
   * it did anything (the run then counts as failed).
   */
  #explainCgroupEvents(events: CgroupRunEvents | undefined): boolean {
    const limits = this.#settings.cgroup?.limits;
    if (events === undefined || limits === undefined) return false;
    const messages: string[] = [];
    if (events.refusedForks > 0)
      messages.push(
        `sandproc: the command reached its limit of ${limits.maxTasks} tasks (processes and threads) at once; forks past it failed (maxTasks)`,
      );
    const ended = events.memoryKills === 1 ? 'one of its processes' : `${events.memoryKills} of its processes`;
    const limit = `${Math.round((limits.maxMemoryBytes ?? 0) / 1048576)} MiB`;
    if (events.memoryKills > 0 && events.memoryLimitReached)
      messages.push(
        `sandproc: the command reached its memory limit of ${limit} (its whole tree at once); the kernel ended ${ended} (maxCommandMemoryBytes)`,
      );
    else if (events.memoryKills > 0)
      messages.push(
        `sandproc: the kernel's OOM killer ended ${ended}: the machine or the server's own cgroup ran out of memory (the command's limit of ${limit} was not reached)`,
      );
    if (events.cpuLimitReached)
      messages.push(
        `sandproc: the command used its CPU time limit of ${limits.maxCpuSeconds} s (its whole tree together) and was ended (maxCommandCpuSeconds)`,
      );
    for (const message of messages) this.output.write('stderr', Buffer.from(`${message}\n`));
    return messages.length > 0;
  }

  #onChildExit(reportedCode: number | null, reportedSignal: NodeJS.Signals | null): void {
    this.output.flushPartialLines();
    const cgroupEvents = this.#cgroupMark && this.#settings.cgroup?.eventsSince(this.#cgroupMark);
    const killedForLimit = (cgroupEvents?.memoryKills ?? 0) > 0 || cgroupEvents?.cpuLimitReached === true;
    const { code, signal } = this.#readShellStatus(reportedCode, reportedSignal, killedForLimit);
    this.#explainLimit(code, signal, killedForLimit);
    const endedByKernel = this.#explainCgroupEvents(cgroupEvents);
    this.output.flushPartialLines();
    const tree = this.#run?.tree;
    this.#run = undefined;
    this.groups.prune();
    const shellExitCode = signal !== null || code === null ? -1 : code;
    // A command whose tree reached a limit (or lost a process to the OOM killer) failed, whatever
    // its shell made of the refused forks or the killed process.
    const exitCode = endedByKernel && shellExitCode === 0 ? 1 : shellExitCode;
    const killed = this.#destroyed || (signal !== null && this.#killSignals.has(signal));
    if (killed || this.#stopRequested) {
      if (tree !== undefined) this.groups.signalOne(tree, 'SIGKILL');
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
      this.output.notice(
        `[Process failed with exit code ${exitCode}. Attempting restart ${attempt}/${unlimited ? 'unlimited' : this.maxRestarts}...]`,
        true,
      );
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
    this.#stateRevision++;
    this.output.end();
    this.#settings.cgroup?.release();
    for (const listener of [...this.#finishedListeners]) listener();
    this.#finishedListeners.clear();
  }
}
