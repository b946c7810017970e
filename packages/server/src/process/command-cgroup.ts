import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCounter } from './cgroup-hierarchy.js';
import { CpuTimeWatch } from './cpu-time-watch.js';

/** The limits on each command's whole tree that cgroups hold. */
export interface CommandCgroupLimits {
  /** Tasks (processes and threads) at once: the pids controller. */
  maxTasks?: number;
  /** Memory at once, in bytes (no swap on top): the memory controller. */
  maxMemoryBytes?: number;
  /** CPU time of each run, in seconds, every process counted together: cgroup v1's cpuacct controller. */
  maxCpuSeconds?: number;
}

/** A command's memory cgroup, and whether it is cgroup v2's. */
export interface MemoryGroup {
  path: string;
  unified: boolean;
}

/** The kernel's counters of a command's cgroups when a run started (see {@link CommandCgroup.startRun}). */
export interface CgroupRunMark {
  refusedForks: number;
  memoryKills: number;
  /** cgroup v2's count of times the group's own limit was reached (v1 has no such counter). */
  memoryLimitHits: number;
}

/** What the kernel did to a command's tree during one run. */
export interface CgroupRunEvents {
  /** Forks the task limit refused. */
  refusedForks: number;
  /** Processes of the command the kernel's OOM killer ended, whatever ran out of memory. */
  memoryKills: number;
  /** Whether the command's own memory limit was reached (not the server's cgroup's or the machine's). */
  memoryLimitReached: boolean;
  /** Whether the run went past its CPU time limit (the server then ended it). */
  cpuLimitReached: boolean;
}

/**
 * The cgroups of one command (one per hierarchy the server limits commands in), and what the
 * kernel did in them: forks refused by the task limit, processes ended by the OOM killer, and
 * whether that was the command's own memory limit; and whether a run went past its CPU time.
 */
export class CommandCgroup {
  readonly limits: Readonly<CommandCgroupLimits>;
  /** The files a process writes its pid to, to join the groups (its children are born in them). */
  readonly procsFiles: readonly string[];
  readonly #pidsGroup: string | undefined;
  readonly #memoryGroup: MemoryGroup | undefined;
  readonly #cpuGroup: string | undefined;
  /** Removes the groups now, or once their processes are gone; true if they were all removed now. */
  readonly #release: () => boolean;
  #cpuWatch: CpuTimeWatch | undefined;
  /** The command is over, but processes of it may live on in its groups (see {@link release}). */
  #released = false;

  constructor(
    paths: readonly string[],
    limits: Readonly<CommandCgroupLimits>,
    groups: { pids?: string; memory?: MemoryGroup; cpu?: string },
    release: () => boolean,
  ) {
    this.procsFiles = paths.map((path) => join(path, 'cgroup.procs'));
    this.limits = limits;
    this.#pidsGroup = groups.pids;
    this.#memoryGroup = groups.memory;
    this.#cpuGroup = groups.cpu;
    this.#release = release;
  }

  /**
   * Call before each run is spawned: reads the counters so far and, on cgroup v1, resets the
   * group's memory peak, which tells later whether the run reached the limit. With a CPU time
   * limit, watches the run's CPU time from now on and calls `onCpuLimitReached` at every check
   * once the run is past it, until {@link eventsSince}.
   */
  startRun(onCpuLimitReached: () => void): CgroupRunMark {
    this.#cpuWatch?.stop();
    this.#cpuWatch =
      this.#cpuGroup === undefined || this.limits.maxCpuSeconds === undefined
        ? undefined
        : new CpuTimeWatch(
            join(this.#cpuGroup, 'cpuacct.usage'),
            this.limits.maxCpuSeconds * 1e9,
            onCpuLimitReached,
            () => this.#stopWatchOnceEmpty(),
          );
    const group = this.#memoryGroup;
    if (group !== undefined && !group.unified) {
      for (const file of ['memory.max_usage_in_bytes', 'memory.memsw.max_usage_in_bytes'])
        try {
          writeFileSync(join(group.path, file), '0');
        } catch {
          /* absent (no swap accounting) or refused: the peak then covers earlier runs too */
        }
    }
    return { refusedForks: this.#refusedForks(), memoryKills: this.#memoryKills(), memoryLimitHits: this.#limitHits() };
  }

  /**
   * What the kernel did to the command since `mark` (call once the run ended). The CPU time watch
   * goes on: processes the run left behind (a background child) still count against its limit,
   * until the next run or the groups are empty after {@link release}.
   */
  eventsSince(mark: CgroupRunMark): CgroupRunEvents {
    const memoryKills = this.#memoryKills() - mark.memoryKills;
    return {
      refusedForks: this.#refusedForks() - mark.refusedForks,
      memoryKills,
      memoryLimitReached: memoryKills > 0 && this.#reachedMemoryLimit(mark),
      cpuLimitReached: this.#cpuWatch?.reached ?? false,
    };
  }

  /**
   * Sends `signal` to every process in the command's groups (those that left its process tree,
   * such as a `setsid` child in the process-group fallback, included).
   */
  signalMembers(signal: NodeJS.Signals): void {
    for (const pid of this.#memberPids())
      try {
        process.kill(pid, signal);
      } catch {
        /* gone already */
      }
  }

  /**
   * The command is over: removes the groups now, or once their last processes are gone. Processes
   * it left behind (a background child of a command that exited) stay under its CPU time limit:
   * the watch goes on, ending them past it, until the groups are empty.
   */
  release(): void {
    this.#released = true;
    if (this.#release()) this.#cpuWatch?.stop();
  }

  #stopWatchOnceEmpty(): void {
    if (this.#released && !this.#hasMembers()) this.#cpuWatch?.stop();
  }

  /** Whether a process is left in any of the groups. */
  #hasMembers(): boolean {
    return this.#memberPids().length > 0;
  }

  /** The pids in the command's groups (none in a group that is gone). */
  #memberPids(): number[] {
    const pids: number[] = [];
    for (const file of this.procsFiles) {
      try {
        for (const line of readFileSync(file, 'utf8').split('\n')) if (line !== '') pids.push(Number(line));
      } catch {
        /* removed */
      }
    }
    return pids;
  }

  #refusedForks(): number {
    return this.#pidsGroup === undefined ? 0 : readCounter(join(this.#pidsGroup, 'pids.events'), 'max');
  }

  #memoryKills(): number {
    const group = this.#memoryGroup;
    if (group === undefined) return 0;
    return readCounter(join(group.path, group.unified ? 'memory.events' : 'memory.oom_control'), 'oom_kill');
  }

  /** cgroup v2: times the group's own `memory.max` was reached and reclaim could not make room. */
  #limitHits(): number {
    const group = this.#memoryGroup;
    return group?.unified === true ? readCounter(join(group.path, 'memory.events'), 'oom') : 0;
  }

  /**
   * Whether the group's own limit was reached since `mark`: on cgroup v2 its `oom` count grew; on
   * v1 its peak (memory plus swap where accounted) came within a margin of the limit (a charge
   * that fails is at most a few pages, or a huge page, past the usage).
   */
  #reachedMemoryLimit(mark: CgroupRunMark): boolean {
    const group = this.#memoryGroup;
    const limit = this.limits.maxMemoryBytes;
    if (group === undefined || limit === undefined) return false;
    if (group.unified) return this.#limitHits() > mark.memoryLimitHits;
    const swapPeak = join(group.path, 'memory.memsw.max_usage_in_bytes');
    const peakFile = existsSync(swapPeak) ? swapPeak : join(group.path, 'memory.max_usage_in_bytes');
    try {
      const peak = Number(readFileSync(peakFile, 'utf8'));
      return peak >= limit - Math.min(4 * 1024 * 1024, limit / 8);
    } catch {
      return false;
    }
  }
}
