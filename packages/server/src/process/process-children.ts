import { existsSync, readdirSync, readFileSync } from 'node:fs';

/** Whether this kernel lists the children of a process (`CONFIG_PROC_CHILDREN`); asked once. */
let listsChildren: boolean | undefined;

/**
 * The pids of the children of process `pid`, from `/proc/<pid>/task/<thread>/children` of each of
 * its threads: what costs a look at the process itself rather than at every process of the host.
 * `[]` if the process is gone; `undefined` where the kernel does not list children (the caller
 * then scans `/proc`).
 */
export function childrenOf(pid: number): number[] | undefined {
  listsChildren ??= existsSync(`/proc/self/task/${process.pid}/children`);
  if (!listsChildren) return undefined;
  let threads: string[];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const children: number[] = [];
  for (const thread of threads) {
    let list: string;
    try {
      list = readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8');
    } catch {
      continue; // the thread ended since it was listed
    }
    for (const child of list.split(' ')) if (/^\d+$/.test(child)) children.push(Number(child));
  }
  return children;
}
