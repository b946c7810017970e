import { readFileSync } from 'node:fs';

/** What `/proc/<pid>/stat` says of a process. */
export interface ProcessStat {
  /** State letter (`R`, `S`, `Z`, `T`, ...). */
  state: string;
  /** The parent's pid (0 for a namespace's init seen from inside it). */
  parentPid: number;
  /** When the process started, in clock ticks since boot (field 22): with the pid, names one process. */
  startTicks: number;
}

/** `/proc/<pid>/stat` of a process, or `undefined` if it is gone (or there is no `/proc`). */
export function readProcessStat(pid: number): ProcessStat | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: count fields after its end.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', parentPid: Number(fields[1]), startTicks: Number(fields[19]) };
}
