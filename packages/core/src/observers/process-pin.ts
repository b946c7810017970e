import type { ProcessInfo } from '../types.js';

/**
 * What identifies one process after first contact: its pid (which survives restarts), and its
 * name, start time and restart count, which tell a restart of it from a new process that got the
 * same pid (an operating system reuses pids).
 */
export interface ProcessPin {
  readonly pid: string;
  readonly name: string;
  readonly startedAt: number | undefined;
  readonly restartCount: number;
}

/** The pin of `process`. */
export function pinOf(process: ProcessInfo): ProcessPin {
  return {
    pid: process.pid,
    name: process.name,
    startedAt: process.startedAt?.getTime(),
    restartCount: process.restartCount,
  };
}

/**
 * Whether `process` is the pinned process (the same run, or a later restart of it) rather than
 * another process that now has its pid or name.
 */
export function isPinnedProcess(pin: ProcessPin, process: ProcessInfo): boolean {
  if (process.pid !== pin.pid || process.name !== pin.name) return false;
  const startedAt = process.startedAt?.getTime();
  if (startedAt === undefined || pin.startedAt === undefined || startedAt === pin.startedAt) return true;
  // Started again: the same process only if it restarted (`restartCount` grows with each restart).
  return process.restartCount > pin.restartCount;
}

/** Whether `id` is a pid: the server looks an id that parses as an integer up only as a pid. */
export function isPid(id: string): boolean {
  return /^\d+$/.test(id);
}
