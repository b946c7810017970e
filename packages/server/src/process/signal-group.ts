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

/** Normalises a POSIX signal name (`'SIGINT'`, `'int'`, `'INT'`), or returns undefined if unknown. */
export function parseSignalName(value: string): NodeJS.Signals | undefined {
  const upper = value.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  return Object.hasOwn(constants.signals, name) ? (name as NodeJS.Signals) : undefined;
}
