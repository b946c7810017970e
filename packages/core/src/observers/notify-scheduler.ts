/** Options of the batching of notifications. */
export interface NotifySchedulerOptions {
  /**
   * Deliver batched notifications at most once per this many milliseconds. Default: once per
   * animation frame where `requestAnimationFrame` exists (browsers), else every 16 ms.
   */
  notifyIntervalMs?: number | undefined;
}

/** Runs a callback once per batch window, however many times it is asked to. */
export interface NotifyScheduler {
  /** Asks for `flush` to run at the end of the current window (coalesced). */
  schedule(): void;
  /** Drops a pending run. */
  cancel(): void;
}

/** Creates a scheduler that coalesces calls to `flush` into one per frame or interval. */
export function createNotifyScheduler(flush: () => void, options: NotifySchedulerOptions = {}): NotifyScheduler {
  let cancelPending: (() => void) | undefined;
  const run = () => {
    cancelPending = undefined;
    flush();
  };
  const useFrames =
    options.notifyIntervalMs === undefined &&
    typeof globalThis.requestAnimationFrame === 'function' &&
    typeof globalThis.cancelAnimationFrame === 'function';
  return {
    schedule() {
      if (cancelPending) return;
      if (useFrames) {
        const frame = globalThis.requestAnimationFrame(run);
        cancelPending = () => globalThis.cancelAnimationFrame(frame);
      } else {
        const timer = setTimeout(run, options.notifyIntervalMs ?? 16);
        cancelPending = () => clearTimeout(timer);
      }
    },
    cancel() {
      cancelPending?.();
      cancelPending = undefined;
    },
  };
}
