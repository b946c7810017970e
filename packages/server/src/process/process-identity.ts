import { readFileSync, readlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { readProcessStat } from './process-stat.js';

/**
 * Names one process beyond pid reuse, for files and cgroups that outlive it: another server can
 * then tell, beyond doubt, whether the one that made them still runs.
 */
export interface ProcessIdentity {
  /** The pid, in the process's PID namespace. */
  pid: number;
  /** When the process started, in clock ticks since boot (`/proc/<pid>/stat`, field 22). */
  startTicks: number;
  /** Its PID namespace (`/proc/self/ns/pid`), e.g. `pid:[4026531836]`. */
  pidNamespace: string;
  /** The boot it ran in (`/proc/sys/kernel/random/boot_id`). */
  bootId: string;
  /** The machine (`/etc/machine-id`, else the host name): a boot id says nothing of another machine's. */
  machineId: string;
}

/** This process's identity, or `undefined` where `/proc` cannot tell (not Linux). */
export function currentProcessIdentity(): ProcessIdentity | undefined {
  try {
    const startTicks = readProcessStat(process.pid)?.startTicks;
    if (startTicks === undefined || Number.isNaN(startTicks)) return undefined;
    return {
      pid: process.pid,
      startTicks,
      pidNamespace: readlinkSync('/proc/self/ns/pid'),
      bootId: readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim(),
      machineId: machineId(),
    };
  } catch {
    return undefined;
  }
}

/**
 * Whether the process `other` names is gone beyond doubt, as seen from `self`: on this machine,
 * either another boot, or the same PID namespace with no process of that pid and start time.
 * Another machine's process, or another PID namespace's, is never called gone.
 */
export function isGoneBeyondDoubt(other: ProcessIdentity, self: ProcessIdentity): boolean {
  if (other.machineId !== self.machineId) return false;
  if (other.bootId !== self.bootId) return true;
  if (other.pidNamespace !== self.pidNamespace) return false;
  return readProcessStat(other.pid)?.startTicks !== other.startTicks;
}

/** Whether `value` has the shape of a {@link ProcessIdentity} (read back from a file). */
export function isProcessIdentity(value: unknown): value is ProcessIdentity {
  const identity = value as Partial<ProcessIdentity> | null;
  return (
    typeof identity === 'object' &&
    identity !== null &&
    typeof identity.pid === 'number' &&
    typeof identity.startTicks === 'number' &&
    typeof identity.pidNamespace === 'string' &&
    typeof identity.bootId === 'string' &&
    typeof identity.machineId === 'string'
  );
}

function machineId(): string {
  try {
    const id = readFileSync('/etc/machine-id', 'utf8').trim();
    if (id !== '') return id;
  } catch {
    // No machine id (a minimal container): the host name stands for the machine.
  }
  return `host:${hostname()}`;
}
