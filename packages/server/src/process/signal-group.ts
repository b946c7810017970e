import { constants } from 'node:os';

/** Sends `signal` to the whole process group `groupId`. Returns false if no process of it exists. */
export function signalGroup(groupId: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-groupId, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while the process group `groupId` has at least one member (zombies included). */
export function groupHasMembers(groupId: number): boolean {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/** Normalises a POSIX signal name (`'SIGINT'`, `'int'`, `'INT'`), or returns undefined if unknown. */
export function parseSignalName(value: string): NodeJS.Signals | undefined {
  const upper = value.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return Object.hasOwn(constants.signals, name) ? (name as NodeJS.Signals) : undefined;
}

/** Signals whose default action does not end a process (ignore, stop or continue). */
const NON_TERMINATING_SIGNALS: ReadonlySet<string> = new Set([
  'SIGCHLD',
  'SIGCONT',
  'SIGURG',
  'SIGWINCH',
  'SIGSTOP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
]);

/** True if the default action of `signal` ends a process. */
export function terminatesByDefault(signal: NodeJS.Signals): boolean {
  return !NON_TERMINATING_SIGNALS.has(signal);
}
