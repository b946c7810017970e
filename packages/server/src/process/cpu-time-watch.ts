import { readNumber } from './cgroup-hierarchy.js';

/** How often a command's CPU time is read against its limit, in milliseconds. */
export const CPU_TIME_CHECK_INTERVAL_MS = 200;

/**
 * Watches the CPU time a cgroup v1 `cpuacct` group's processes used (its `cpuacct.usage`, in
 * nanoseconds, the processes that already ended included) from now on, and calls `onReached` at
 * every check once it is past `limitNanoseconds`, until stopped: the caller ends the command, and
 * a process it forked meanwhile is ended at the next check. `afterCheck` runs after every check
 * (its owner stops the watch there once the group is empty).
 */
export class CpuTimeWatch {
  readonly #timer: NodeJS.Timeout;
  #reached = false;

  constructor(usageFile: string, limitNanoseconds: number, onReached: () => void, afterCheck: () => void = () => {}) {
    const start = readNumber(usageFile);
    this.#timer = setInterval(() => {
      if (readNumber(usageFile) - start >= limitNanoseconds) {
        this.#reached = true;
        onReached();
      }
      afterCheck();
    }, CPU_TIME_CHECK_INTERVAL_MS);
    this.#timer.unref();
  }

  /** Whether the group went past the limit since the watch started. */
  get reached(): boolean {
    return this.#reached;
  }

  stop(): void {
    clearInterval(this.#timer);
  }
}
