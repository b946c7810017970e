import type { ProcessTree } from './process-tree.js';

/**
 * The process trees one record created (one per start): process groups, or PID namespaces. A tree
 * is forgotten as soon as it has no member left, before anything is signalled: the operating
 * system may hand a group id to an unrelated process group afterwards, and that group must never
 * get our signals.
 */
export class ProcessGroups {
  readonly #trees = new Set<ProcessTree>();

  /** Records the tree of a newly spawned run. */
  add(tree: ProcessTree): void {
    this.#trees.add(tree);
  }

  /** Forgets every tree without members. */
  prune(): void {
    for (const tree of this.#trees) {
      if (!tree.hasMembers()) this.#trees.delete(tree);
    }
  }

  /** Trees that still have members, oldest first. */
  live(): ProcessTree[] {
    this.prune();
    return [...this.#trees];
  }

  /** Sends `signal` to every tree that still has members. Returns how many were signalled. */
  signalAll(signal: NodeJS.Signals): number {
    let signalled = 0;
    for (const tree of this.live()) {
      if (tree.signal(signal)) signalled++;
    }
    return signalled;
  }

  /** Sends `signal` to `tree` if it is still known and has members. */
  signalOne(tree: ProcessTree, signal: NodeJS.Signals): void {
    this.prune();
    if (this.#trees.has(tree)) tree.signal(signal);
  }
}
