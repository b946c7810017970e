/**
 * Detects a dead connection: calls `onTimeout` after `timeoutMs` milliseconds without `touch()`.
 */
export class KeepaliveWatchdog {
  readonly #timeoutMs: number;
  readonly #onTimeout: () => void;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** `timeoutMs`: the allowed silence, in milliseconds; `Infinity` or `0` disables the watchdog. */
  constructor(timeoutMs: number, onTimeout: () => void) {
    this.#timeoutMs = timeoutMs;
    this.#onTimeout = onTimeout;
  }

  /** Something arrived: restart the countdown. */
  touch(): void {
    this.stop();
    if (this.#timeoutMs > 0 && Number.isFinite(this.#timeoutMs)) {
      this.#timer = setTimeout(this.#onTimeout, this.#timeoutMs);
    }
  }

  /** Stop counting (connection closed, or paused while the consumer catches up). */
  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
