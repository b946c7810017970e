/**
 * Detects a dead connection: calls `onTimeout` after `timeoutMs` milliseconds without `touch()`.
 */

/** A countdown restarted by `touch()` and cancelled by `stop()`. */
export interface KeepaliveWatchdog {
  /** Something arrived: restart the countdown. */
  touch(): void;
  /** Stop counting (connection closed, or paused while the consumer catches up). */
  stop(): void;
}

/** `timeoutMs`: the allowed silence, in milliseconds; `Infinity` or `0` disables the watchdog. */
export function createKeepaliveWatchdog(timeoutMs: number, onTimeout: () => void): KeepaliveWatchdog {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const stop = () => clearTimeout(timer);
  return {
    touch() {
      stop();
      if (timeoutMs > 0 && timeoutMs < Infinity) timer = setTimeout(onTimeout, timeoutMs);
    },
    stop,
  };
}
