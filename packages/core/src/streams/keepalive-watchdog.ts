/**
 * Detects a dead connection: calls `onTimeout` after `timeoutMs` milliseconds without `touch()`.
 */

import { LONGEST_TIMER_MS } from '../shared/timer-limit.js';

/** A countdown restarted by `touch()` and cancelled by `stop()`. */
export interface KeepaliveWatchdog {
  /** Something arrived: restart the countdown. */
  touch(): void;
  /** Stop counting (connection closed, or paused while the consumer catches up). */
  stop(): void;
}

/**
 * `timeoutMs`: the allowed silence, in milliseconds; `0`, `Infinity` (or anything from 2^31 ms) disables the watchdog.
 * `touch()` only notes the time (it is called for every chunk read); the one timer, when it fires
 * early, waits again for the rest of the silence.
 */
export function createKeepaliveWatchdog(timeoutMs: number, onTimeout: () => void): KeepaliveWatchdog {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let touchedAt = 0;
  const check = () => {
    const silentMs = Date.now() - touchedAt;
    timer = silentMs < timeoutMs ? setTimeout(check, timeoutMs - silentMs) : undefined;
    if (!timer) onTimeout();
  };
  return {
    touch() {
      touchedAt = Date.now();
      // Beyond what setTimeout can count it would fire at once: no timer.
      if (!timer && timeoutMs > 0 && timeoutMs <= LONGEST_TIMER_MS) timer = setTimeout(check, timeoutMs);
    },
    stop() {
      clearTimeout(timer);
      timer = undefined;
    },
  };
}
