/** A function called after the state of a {@link Subscribable} changed. */
export type Listener = () => void;

/**
 * Base of every observer: a set of listeners, a snapshot that keeps its identity until something
 * changes, and activation hooks.
 *
 * `subscribe` has the shape `useSyncExternalStore` (React), `readable` (Svelte) and
 * `shallowRef` + `onScopeDispose` (Vue) expect. Activation is settled in a microtask: a
 * subscribe, unsubscribe, subscribe sequence in one tick (React StrictMode runs effects twice)
 * activates once and never deactivates, so it starts one poll or one stream, not two.
 */
export abstract class Subscribable<TSnapshot> {
  #listeners = new Set<Listener>();
  #passiveListeners = new Set<Listener>();
  #active = false;
  #settlePending = false;
  #activityListeners = new Set<(active: boolean) => void>();
  protected snapshot: TSnapshot;

  constructor(initialSnapshot: TSnapshot) {
    this.snapshot = initialSnapshot;
  }

  /**
   * Registers a listener; returns the function that removes it (safe to call twice). The first
   * subscriber activates the observer (starts its poll or stream) and the last one to leave
   * deactivates it; `{ activate: false }` listens without keeping it active.
   */
  subscribe = (listener: Listener, options?: { activate?: boolean }): (() => void) => {
    // A wrapper per call so the same function subscribed twice counts twice.
    const entry: Listener = () => listener();
    const passive = options?.activate === false;
    const set = passive ? this.#passiveListeners : this.#listeners;
    set.add(entry);
    if (!passive) this.#scheduleSettle();
    return () => {
      if (!set.delete(entry)) return;
      if (!passive) this.#scheduleSettle();
    };
  };

  /** The current state; the same object until something changes. */
  getSnapshot = (): TSnapshot => this.snapshot;

  /** How many subscriptions keep the observer active. */
  get subscriberCount(): number {
    return this.#listeners.size;
  }

  /** Whether the observer is active (has subscribers, after the microtask that settles them). */
  get isActive(): boolean {
    return this.#active;
  }

  /**
   * Calls `listener` whenever the observer becomes active or inactive (an `ObserverCache` uses it
   * to free idle observers). Returns the function that removes it.
   */
  onActiveChange(listener: (active: boolean) => void): () => void {
    this.#activityListeners.add(listener);
    return () => this.#activityListeners.delete(listener);
  }

  /** Replaces the snapshot with a new object holding `patch` and notifies if anything changed. */
  protected setSnapshot(patch: Partial<TSnapshot>): void {
    let changed = false;
    for (const key in patch) {
      if (!Object.is(patch[key], this.snapshot[key])) {
        changed = true;
        break;
      }
    }
    if (!changed) return;
    this.snapshot = { ...this.snapshot, ...patch };
    this.notify();
  }

  /** Calls every listener; a listener that throws does not stop the others. */
  protected notify(): void {
    for (const listener of [...this.#listeners, ...this.#passiveListeners]) {
      try {
        listener();
      } catch (error) {
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Called (in a microtask) when the observer gets its first subscriber. */
  protected onActivate(): void {}

  /** Called (in a microtask) when the observer lost its last subscriber. */
  protected onDeactivate(): void {}

  #scheduleSettle(): void {
    if (this.#settlePending) return;
    this.#settlePending = true;
    // A promise rather than queueMicrotask: fake timers never hold it back.
    void Promise.resolve().then(() => {
      this.#settlePending = false;
      const shouldBeActive = this.#listeners.size > 0;
      if (shouldBeActive === this.#active) return;
      this.#active = shouldBeActive;
      if (shouldBeActive) this.onActivate();
      else this.onDeactivate();
      for (const listener of [...this.#activityListeners]) listener(shouldBeActive);
    });
  }
}
