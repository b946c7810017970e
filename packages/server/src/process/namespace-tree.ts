import { readdirSync, readlinkSync } from 'node:fs';
import { childrenOf } from './process-children.js';
import { readProcessStat } from './process-stat.js';
import type { ProcessTree } from './process-tree.js';

/** The PID namespace link of a process (`pid:[4026532451]`), or undefined if it is gone. */
function namespaceOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`);
  } catch {
    return undefined;
  }
}

/** Every pid in the host's `/proc`. */
function hostPids(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (/^\d+$/.test(entry)) pids.push(Number(entry));
  }
  return pids;
}

/**
 * The processes of one command in its own PID namespace: the server spawned a launcher (`unshare`
 * or `bwrap`, the tree's id) whose child is the namespace's init (see `sandbox-init.ts`), and the
 * command runs under that init. Members are the init's descendants (a child that started a new
 * session or process group is one, and an orphan is handed to the init), read from the kernel's
 * list of each process's children: a look costs the command's processes, not every process of the
 * host, so starting or ending a command stays cheap with thousands running. Where the kernel does
 * not list children, members are found in the host's `/proc` by their namespace. SIGKILL goes to the
 * init: with it the kernel kills every process of the namespace at once. The init exits by itself
 * once the namespace is empty, so the launcher reaps it and no zombie is left behind.
 */
export class NamespaceTree implements ProcessTree {
  readonly id: number;
  #initPid: number | undefined;
  #namespace: string | undefined;
  #launcherExited = false;
  /** The init found no other process when the command's shell ended: none can appear any more. */
  #empty = false;
  #killed = false;

  constructor(launcherPid: number) {
    this.id = launcherPid;
  }

  /** True once the server sent SIGKILL to the namespace (the launcher's own exit status then says little). */
  get killed(): boolean {
    return this.#killed;
  }

  /** The init reported that the command's shell left no other process behind. */
  markEmpty(): void {
    this.#empty = true;
  }

  /** The launcher exited and was reaped: the namespace is gone and its pid may be reused. */
  launcherExited(): void {
    this.#launcherExited = true;
  }

  hasMembers(): boolean {
    if (this.#launcherExited || this.#empty) return false;
    if (!this.#resolve()) return true;
    return this.#members(true).length > 0;
  }

  signal(signal: NodeJS.Signals): boolean {
    if (this.#launcherExited || this.#empty) return false;
    if (signal === 'SIGKILL') return this.#killNamespace();
    let signalled = false;
    for (const pid of this.#resolve() ? this.#members(false) : []) {
      try {
        process.kill(pid, signal);
        signalled = true;
      } catch {
        // Gone since it was listed.
      }
    }
    return signalled;
  }

  /** Host pids of the live (not zombie) processes of the namespace but its init; only the first if `firstOnly`. */
  #members(firstOnly: boolean): number[] {
    const descendants = this.#descendantsOfInit(firstOnly);
    if (descendants !== undefined) return descendants;
    const members: number[] = [];
    for (const pid of hostPids()) {
      if (pid === this.#initPid || pid === this.id || namespaceOf(pid) !== this.#namespace) continue;
      const stat = readProcessStat(pid);
      if (stat === undefined || stat.state === 'Z') continue;
      members.push(pid);
      if (firstOnly) break;
    }
    return members;
  }

  /**
   * The live descendants of the init (only the first if `firstOnly`), or undefined where the kernel
   * does not list children. A pid is taken only while its parent is the one it was listed under,
   * so a pid reused meanwhile by another process is not.
   */
  #descendantsOfInit(firstOnly: boolean): number[] | undefined {
    const initPid = this.#initPid as number;
    const children = childrenOf(initPid);
    if (children === undefined) return undefined;
    const pending = children.map((pid) => ({ pid, parentPid: initPid }));
    const members: number[] = [];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const stat = readProcessStat(next.pid);
      if (stat === undefined || stat.parentPid !== next.parentPid) continue;
      if (stat.state !== 'Z') {
        members.push(next.pid);
        if (firstOnly) break;
      }
      for (const pid of childrenOf(next.pid) ?? []) pending.push({ pid, parentPid: next.pid });
    }
    return members;
  }

  /** Finds the init (the launcher's child in another PID namespace). False until it exists. */
  #resolve(): boolean {
    if (this.#namespace !== undefined) return true;
    const own = namespaceOf(process.pid);
    for (const pid of childrenOf(this.id) ?? hostPids()) {
      if (readProcessStat(pid)?.parentPid !== this.id) continue;
      const namespace = namespaceOf(pid);
      if (namespace === undefined || namespace === own) continue;
      this.#initPid = pid;
      this.#namespace = namespace;
      return true;
    }
    return false;
  }

  /**
   * SIGKILL to the init (the kernel then kills the whole namespace, and the launcher reaps the
   * init and exits), or to the launcher before the init is known (its child gets SIGKILL too).
   */
  #killNamespace(): boolean {
    const target = this.#resolve() ? (this.#initPid ?? this.id) : this.id;
    try {
      process.kill(target, 'SIGKILL');
      this.#killed = true;
      return true;
    } catch {
      return false;
    }
  }
}
