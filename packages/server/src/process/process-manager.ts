import { FifoPool } from './fifo-pool.js';
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { childEnvironment } from './child-environment.js';
import type { Containment } from './containment.js';
import type { CommandCgroup } from './command-cgroup.js';
import type { CommandCgroups } from './command-cgroups.js';
import { planLaunch, type IsolationLayout } from './launch-plan.js';
import { ManagedProcess } from './managed-process.js';
import { isWithin } from './path-within.js';
import type { ProcessRequest } from './process-status.js';
import type { CommandLimits } from './sandbox-init.js';

/** Settings shared by every process of a manager. */
export interface ProcessManagerSettings {
  restartDelayMs: number;
  stopGraceMs: number;
  /** Unread bytes a stdin pipe may hold before writes are refused. */
  stdinBufferBytes: number;
  /** Directory of the output files (the server's run directory). */
  runDirectory: string;
  /** Output kept on disk per process, in bytes; its oldest output is dropped past it. */
  outputDiskBytes: number;
  /** Output kept on disk over all processes, in bytes; finished processes lose their oldest output first. */
  totalOutputDiskBytes: number;
  /** Finished process records kept; past it the oldest finished records are forgotten (404). */
  maxFinishedProcesses: number;
  chunkRecords: boolean;
  /** Secrets that must never reach a child's environment (the server token): a variable whose value equals one is removed. */
  secrets: string[];
  /** How commands are contained (decided at startup). */
  containment: Containment;
  /** Absolute path of the shell commands run in. */
  shell: string;
  /** Pass every variable of the server's environment, not only the default set. */
  inheritEnvironment: boolean;
  /** Variables passed on top of the default set. */
  passEnvironment: readonly string[];
  /** Limits of each process of a command. */
  limits: CommandLimits;
  /** Processes running at once; a start past it is refused (422). Undefined = no limit. */
  maxProcesses: number | undefined;
  /** Limits on each command's whole tree (tasks, memory: cgroups per command), if any. */
  cgroups?: CommandCgroups;
}

/** A start refused with an HTTP status (400 or 422) and a message. */
export class ProcessStartError extends Error {
  readonly status: 400 | 422;
  constructor(status: 400 | 422, message: string) {
    super(message);
    this.name = 'ProcessStartError';
    this.status = status;
  }
}

const NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/**
 * In isolated mode, why a working directory that is neither in the workspace nor in `HOME` does
 * not exist inside the sandbox: below `/tmp` (each command's fresh `/tmp`) or in the server's run
 * directory (hidden); undefined when it is visible.
 */
function hiddenInSandbox(path: string, isolation: IsolationLayout): string | undefined {
  if (isWithin(path, isolation.home)) return undefined;
  const inWorkspace = isWithin(path, isolation.workspace);
  // The default workspace is in the run directory and shown; the run directory is hidden even in a given workspace.
  if (
    isWithin(path, isolation.runDirectory) &&
    !(inWorkspace && isWithin(isolation.workspace, isolation.runDirectory))
  ) {
    return "is in the server's run directory, which commands do not see";
  }
  if (inWorkspace) return undefined;
  if (path !== '/tmp' && isWithin(path, '/tmp'))
    return "is in the sandbox's private /tmp, which starts empty for each command";
  return undefined;
}

/**
 * A `workingDir` as the real server shows and uses it: a leading `~` becomes `home` (default
 * `$HOME`, the home folder when unset; the private home in isolated mode), double slashes
 * collapse; a relative folder stays relative (to the server's).
 */
export function formatWorkingDirectory(workingDir: string, home = process.env.HOME || homedir()): string {
  let path = workingDir.startsWith('~') ? home + workingDir.slice(1) : workingDir;
  while (path.includes('//')) path = path.replaceAll('//', '/');
  return path;
}

/**
 * Starts processes and keeps their records, looked up by pid or name: every running one and the
 * newest `maxFinishedProcesses` finished ones. Holds the output caps over all processes.
 */
export class ProcessManager {
  readonly #settings: ProcessManagerSettings;
  #processes: ManagedProcess[] = [];
  #fileSerial = 0;
  #totalOutputBytes = 0;
  #enforcingTotal = false;
  #pruneScheduled = false;
  #structureRevision = 0;
  readonly #byPid = new Map<number, ManagedProcess>();
  readonly #byName = new Map<string, ManagedProcess>();
  #closed = false;
  readonly #fifos: FifoPool;

  constructor(settings: ProcessManagerSettings) {
    this.#settings = settings;
    this.#fifos = new FifoPool(settings.runDirectory);
  }

  /** Starts a process. Throws {@link ProcessStartError} for a running name (400) or a start failure (422). */
  async start(request: ProcessRequest): Promise<ManagedProcess> {
    const workingDir = request.workingDir ? formatWorkingDirectory(request.workingDir, this.#home()) : undefined;
    if (request.name !== undefined) this.#refuseRunningName(request.name);
    const cwd = workingDir ? await this.#resolveWorkingDirectory(request.command, workingDir) : undefined;
    if (this.#closed) throw new ProcessStartError(422, 'server is shutting down');
    const name = request.name ?? this.#generateName();
    this.#refuseRunningName(name);
    const { maxProcesses, containment, shell, limits } = this.#settings;
    const running = this.#processes.filter((managed) => managed.status === 'running').length;
    if (maxProcesses !== undefined && running >= maxProcesses) {
      throw new ProcessStartError(
        422,
        `too many processes: ${running} running, the server allows ${maxProcesses} at once (maxProcesses)`,
      );
    }
    const isolated = containment.isolation !== undefined;
    let cgroup: CommandCgroup | undefined;
    try {
      cgroup = this.#settings.cgroups?.createCommandGroup();
    } catch (error) {
      throw new ProcessStartError(
        422,
        `failed to start process: cannot create its cgroup: ${(error as Error).message}`,
      );
    }
    const launch = planLaunch(
      containment.mode,
      { command: request.command, shell, limits, cwd, joinCgroups: cgroup?.procsFiles },
      containment.isolation,
    );
    const managed = new ManagedProcess({
      request: { ...request, workingDir },
      name,
      cwd: isolated ? undefined : cwd,
      launch,
      limits,
      cgroup,
      env: { ...this.#baseEnvironment(), ...request.env },
      restartDelayMs: this.#settings.restartDelayMs,
      stopGraceMs: this.#settings.stopGraceMs,
      stdinBufferBytes: this.#settings.stdinBufferBytes,
      fifos: this.#fifos,
      output: {
        pathPrefix: join(this.#settings.runDirectory, `output-${++this.#fileSerial}`),
        maxBytes: this.#settings.outputDiskBytes,
        chunkRecords: this.#settings.chunkRecords,
        onSizeChange: (deltaBytes) => this.#onOutputSizeChange(deltaBytes),
      },
    });
    // The record is known while the command starts, so that a name, the process limit and a
    // shutdown all see it; a start that fails takes it back (and leaves no output files).
    const started = managed.start();
    const previousWithName = this.#byName.get(name);
    this.#processes.push(managed);
    this.#byPid.set(managed.pid, managed);
    this.#byName.set(name, managed);
    this.#structureRevision++;
    try {
      await started;
    } catch (error) {
      this.#processes.splice(this.#processes.indexOf(managed), 1);
      this.#byPid.delete(managed.pid);
      if (previousWithName) this.#byName.set(name, previousWithName);
      else this.#byName.delete(name);
      this.#structureRevision++;
      managed.output.dispose();
      cgroup?.release();
      throw new ProcessStartError(422, `failed to start process: ${(error as Error).message}`);
    }
    managed.onFinished(() => {
      this.#schedulePrune();
      this.#enforceTotalCap();
    });
    return managed;
  }

  /**
   * Changes whenever the list answer could change (a start, a prune, any record's revision). Two
   * equal values mean the same list.
   */
  listRevision(): string {
    let sum = 0;
    for (const managed of this.#processes) sum += managed.revision;
    return `${this.#structureRevision}.${this.#processes.length}.${sum}`;
  }

  /** Looks a process up: an integer is only a pid; anything else is the most recent with that name. */
  find(identifier: string): ManagedProcess | undefined {
    if (/^[+-]?\d+$/.test(identifier)) return this.#byPid.get(Number(identifier));
    return this.#byName.get(identifier);
  }

  /** Every process ever started, oldest first. */
  list(): readonly ManagedProcess[] {
    return this.#processes;
  }

  /** Output bytes kept on disk over all processes. */
  retainedOutputBytes(): number {
    return this.#totalOutputBytes;
  }

  /**
   * SIGKILL to every process group ever started, and no start from now on; resolves once every
   * record is final, or after `timeoutMs`. The output stays readable until {@link disposeAll}.
   */
  async endAll(timeoutMs: number): Promise<void> {
    this.#closed = true;
    for (const managed of this.#processes) managed.destroy();
    const pending = this.#processes.filter((managed) => !managed.finished);
    await Promise.race([
      Promise.all(pending.map((managed) => new Promise<void>((done) => managed.onFinished(done)))),
      new Promise<void>((done) => setTimeout(done, timeoutMs).unref()),
    ]);
    for (const managed of this.#processes) managed.destroy();
  }

  /** After {@link endAll}: removes every output file and closes the pipes kept for reuse. */
  async disposeAll(): Promise<void> {
    for (const managed of this.#processes) managed.output.dispose();
    await this.#fifos.close();
  }

  /** `HOME` of the commands: the private one in isolated mode. */
  #home(): string {
    return this.#settings.containment.isolation?.home ?? homedir();
  }

  #refuseRunningName(name: string): void {
    if (this.#byName.get(name)?.status === 'running') {
      throw new ProcessStartError(400, `process with name '${name}' already exists and is running`);
    }
  }

  /** The real server's message names the command and the folder (already formatted). */
  async #resolveWorkingDirectory(command: string, workingDir: string): Promise<string> {
    const absolute = resolve(workingDir);
    const { isolation } = this.#settings.containment;
    const hidden = isolation === undefined ? undefined : hiddenInSandbox(absolute, isolation);
    if (hidden !== undefined) throw new ProcessStartError(422, `working directory '${workingDir}' ${hidden}`);
    const info = await stat(absolute).catch(() => undefined);
    if (!info?.isDirectory()) {
      throw new ProcessStartError(
        422,
        `failed to start process: could not execute command '${command}' because folder '${workingDir}' does not exist`,
      );
    }
    return absolute;
  }

  #baseEnvironment(): NodeJS.ProcessEnv {
    const { isolation } = this.#settings.containment;
    return childEnvironment({
      inheritAll: this.#settings.inheritEnvironment,
      passNames: this.#settings.passEnvironment,
      secrets: this.#settings.secrets,
      shell: this.#settings.shell,
      overrides: isolation ? { HOME: isolation.home, TMPDIR: '/tmp' } : {},
    });
  }

  #generateName(): string {
    for (;;) {
      const bytes = randomBytes(8);
      let name = 'proc-';
      for (const byte of bytes) name += NAME_ALPHABET[byte % NAME_ALPHABET.length];
      if (!this.#byName.has(name)) return name;
    }
  }

  #onOutputSizeChange(deltaBytes: number): void {
    this.#totalOutputBytes += deltaBytes;
    if (deltaBytes > 0 && this.#totalOutputBytes > this.#settings.totalOutputDiskBytes) this.#enforceTotalCap();
  }

  /**
   * Past the server-wide cap, drops the oldest output first: every segment of finished processes
   * (oldest process first), then the older segments of running ones (each keeps the one it writes to).
   */
  #enforceTotalCap(): void {
    if (this.#enforcingTotal) return;
    this.#enforcingTotal = true;
    try {
      const cap = this.#settings.totalOutputDiskBytes;
      for (const finishedFirst of [true, false]) {
        for (const managed of this.#processes) {
          if (managed.finished !== finishedFirst) continue;
          while (this.#totalOutputBytes > cap && managed.output.dropOldestSegment(!finishedFirst) > 0) {
            /* dropped one */
          }
          if (this.#totalOutputBytes <= cap) return;
        }
      }
    } finally {
      this.#enforcingTotal = false;
    }
  }

  /**
   * Prunes once the current turn is over, so that whatever waits for this exit (a
   * `waitForCompletion` answer, built in promise callbacks of the same turn) still reads the
   * record and its output, even with `maxFinishedProcesses` 0.
   */
  #schedulePrune(): void {
    if (this.#pruneScheduled) return;
    this.#pruneScheduled = true;
    setImmediate(() => {
      this.#pruneScheduled = false;
      if (!this.#closed) this.#pruneFinished();
    });
  }

  /** Forgets the oldest finished records past `maxFinishedProcesses` (their files are removed). */
  #pruneFinished(): void {
    let excess = this.#processes.filter((managed) => managed.finished).length - this.#settings.maxFinishedProcesses;
    if (excess <= 0) return;
    this.#processes = this.#processes.filter((managed) => {
      if (excess <= 0 || !managed.finished) return true;
      excess--;
      managed.output.dispose();
      if (this.#byPid.get(managed.pid) === managed) this.#byPid.delete(managed.pid);
      if (this.#byName.get(managed.name) === managed) this.#byName.delete(managed.name);
      return false;
    });
    this.#structureRevision++;
  }
}
