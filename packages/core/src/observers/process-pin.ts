import { isSameProcess } from '../shared/same-process.js';
import type { ProcessInfo } from '../types.js';

/**
 * Whether `process` is the process pinned at first contact (the same run, or a later restart of
 * it) rather than another process that now has its pid or name: the same pid and name, and the
 * client's one identity rule ({@link isSameProcess}: start time and restart count).
 */
export function isPinnedProcess(pinned: ProcessInfo, process: ProcessInfo): boolean {
  return process.pid === pinned.pid && process.name === pinned.name && isSameProcess(pinned, process);
}

/** Whether `id` is a pid: the server looks an id that parses as an integer up only as a pid. */
export function isPid(id: string): boolean {
  return /^\d+$/.test(id);
}
