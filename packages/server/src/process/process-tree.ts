/**
 * Every process one run of a command started: its process group (fallback mode), or its PID
 * namespace (default and isolated modes on Linux), which also holds children that left the
 * group (`setsid`).
 */
export interface ProcessTree {
  /** The host pid of the process the server spawned (the public pid of the first run). */
  readonly id: number;
  /** True while a process of the command (not counting the namespace's init) is alive. */
  hasMembers(): boolean;
  /** Sends `signal` to every live process of the command. Returns false if none was alive. */
  signal(signal: NodeJS.Signals): boolean;
}
