function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * `next` with every part that is deep-equal to the same part of `previous` replaced by that part,
 * as TanStack Query's structural sharing: an answer equal to the last one is the last object
 * itself, and a list keeps its unchanged items, so whatever compares by identity (React's
 * memo, `useSyncExternalStore`, a tracked field) sees only what changed. Plain objects and arrays
 * (parsed JSON) are compared field by field, dates (a process's `startedAt`) by their time,
 * anything else by `Object.is`.
 */
export function keepEqualParts<T>(previous: unknown, next: T): T {
  if (Object.is(previous, next)) return previous as T;
  if (previous instanceof Date && next instanceof Date)
    return (previous.getTime() === next.getTime() ? previous : next) as T;
  const arrays = Array.isArray(previous) && Array.isArray(next);
  if (!arrays && !(isPlainObject(previous) && isPlainObject(next))) return next;
  const before = previous as Record<string, unknown>;
  const after = next as Record<string, unknown>;
  const keys = Object.keys(after);
  const merged: Record<string, unknown> = arrays ? ([] as unknown as Record<string, unknown>) : {};
  let equal = keys.length === Object.keys(before).length;
  for (const key of keys) {
    merged[key] = keepEqualParts(before[key], after[key]);
    if (!(key in before) || merged[key] !== before[key]) equal = false;
  }
  return (equal ? previous : merged) as T;
}
