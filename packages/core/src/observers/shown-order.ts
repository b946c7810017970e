import type { ProcessInfo } from '../types.js';

/**
 * `next` in the order of `shown`: the processes shown before keep their places (matched by pid),
 * those that are new follow in `next`'s order, and those gone are left out. The real sandbox-api
 * lists its processes in no particular order (a Go map: another order at each answer), so without
 * this an unchanged list would be a new array at every poll, every process a new object at a new
 * place (structural sharing compares by place), and a list shown to a user would jump around.
 */
export function inShownOrder(shown: readonly ProcessInfo[] | undefined, next: ProcessInfo[]): ProcessInfo[] {
  if (shown === undefined || shown.length === 0) return next;
  const place = new Map<string, number>();
  for (const [index, process] of shown.entries()) if (!place.has(process.pid)) place.set(process.pid, index);
  const known: Array<{ place: number; process: ProcessInfo }> = [];
  const added: ProcessInfo[] = [];
  for (const process of next) {
    const index = place.get(process.pid);
    if (index === undefined) added.push(process);
    else known.push({ place: index, process });
  }
  // A stable sort: processes the server lists twice under one pid keep the server's order.
  known.sort((first, second) => first.place - second.place);
  return [...known.map((entry) => entry.process), ...added];
}
