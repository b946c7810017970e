import type { ProcessTree } from './process-tree.js';
import { groupHasMembers, signalGroup } from './signal-group.js';

/** The fallback tree: the process group the spawned shell leads (a `setsid` child escapes it). */
export class ProcessGroupTree implements ProcessTree {
  readonly id: number;

  constructor(groupId: number) {
    this.id = groupId;
  }

  hasMembers(): boolean {
    return groupHasMembers(this.id);
  }

  signal(signal: NodeJS.Signals): boolean {
    return signalGroup(this.id, signal);
  }
}
