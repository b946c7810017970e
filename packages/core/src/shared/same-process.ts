import type { ProcessInfo } from '../types.js';

/**
 * True when `current`, read by the pid of `pinned`, is still that process: the same start, or a
 * later one with a higher `restartCount` (a restart keeps the pid and resets `startedAt`), or the
 * same count when `pinned` was a failed run waiting for its restart (the real server counts the
 * restart as the run fails). A pid reused by another process (a later start, no restart counted)
 * fails it. Missing start times are no evidence either way.
 */
export function isSameProcess(pinned: ProcessInfo, current: ProcessInfo): boolean {
  const pinnedStart = Number(pinned.startedAt ?? NaN);
  const currentStart = Number(current.startedAt ?? NaN);
  const counted =
    pinned.restartCount - (pinned.status === 'failed' && pinned.restartOnFailure && pinned.restartCount > 0 ? 1 : 0);
  return !(currentStart < pinnedStart) && !(currentStart > pinnedStart && current.restartCount <= counted);
}
