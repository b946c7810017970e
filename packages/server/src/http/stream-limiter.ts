/** Caps the number of long-lived streaming answers open at once. */
export class StreamLimiter {
  readonly #maximum: number;
  #active = 0;
  readonly #idleListeners = new Set<() => void>();

  constructor(maximum: number) {
    this.#maximum = maximum;
  }

  /** Streams currently open. */
  get active(): number {
    return this.#active;
  }

  /** Takes a slot, or returns undefined when every slot is taken. The release function is idempotent. */
  acquire(): (() => void) | undefined {
    if (this.#active >= this.#maximum) return undefined;
    this.#active++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#active--;
      if (this.#active > 0) return;
      for (const listener of this.#idleListeners) listener();
      this.#idleListeners.clear();
    };
  }

  /** Resolves once no stream is open (at once if none is). */
  whenIdle(): Promise<void> {
    if (this.#active === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleListeners.add(resolve));
  }
}
