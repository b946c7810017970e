import { groupHasMembers, signalGroup } from './signal-group.js';

/**
 * The process groups one record created (one per start). A group id is forgotten as soon as the
 * group has no member left, before anything is signalled: the operating system may hand the id to
 * an unrelated process group afterwards, and that group must never get our signals.
 */
export class ProcessGroups {
  readonly #ids = new Set<number>();

  /** Records the group of a newly spawned leader. */
  add(groupId: number): void {
    this.#ids.add(groupId);
  }

  /** Forgets every group without members (`kill(-id, 0)` answers ESRCH). */
  prune(): void {
    for (const groupId of this.#ids) {
      if (!groupHasMembers(groupId)) this.#ids.delete(groupId);
    }
  }

  /** Group ids that still have members, oldest first. */
  live(): number[] {
    this.prune();
    return [...this.#ids];
  }

  /** Sends `signal` to every group that still has members. Returns how many were signalled. */
  signalAll(signal: NodeJS.Signals): number {
    let signalled = 0;
    for (const groupId of this.live()) {
      if (signalGroup(groupId, signal)) signalled++;
    }
    return signalled;
  }

  /** Sends `signal` to the group `groupId` if it is still known and has members. */
  signalOne(groupId: number, signal: NodeJS.Signals): void {
    this.prune();
    if (this.#ids.has(groupId)) signalGroup(groupId, signal);
  }
}
