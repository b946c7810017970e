import { spawn, type ChildProcess } from 'node:child_process';
import type { OutputStream } from './output-log.js';
import { findOnServerPath } from './shell-path.js';
import { groupHasMembers } from './signal-group.js';

/** How to run the command once. */
export interface ChildRunOptions {
  command: string;
  cwd: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Open a stdin pipe (otherwise stdin is /dev/null). */
  stdin: boolean;
  onOutput: (stream: OutputStream, chunk: Buffer) => void;
  /** Called once, after the output pipes are drained (or the drain grace passed). */
  onExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/**
 * After the shell exits while other members of its process group live on (a background child
 * that may hold the output pipes open forever), how long the pipes may stay open before they are
 * closed and the exit is reported, in milliseconds.
 */
const PIPE_DRAIN_GRACE_MS = 200;

/**
 * After the shell exits with its process group empty, the pipes close as soon as their last bytes
 * are read, and the exit is reported then. Only a process that left the group (`setsid`) can still
 * hold them; this bounds the wait for that case, in milliseconds.
 */
const OUTSIDE_HOLDER_GRACE_MS = 5000;

/** Spawns `sh -c <command>` as the leader of a new process group. Throws if the spawn is refused. */
export function startChildRun(options: ChildRunOptions): ChildProcess {
  const child = spawn(findOnServerPath('sh'), ['-c', options.command], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  child.stdin?.on('error', () => undefined);
  for (const stream of ['stdout', 'stderr'] as const) {
    const readable = child[stream];
    readable?.on('data', (chunk: Buffer) => options.onOutput(stream, chunk));
    readable?.on('error', () => undefined);
  }
  let exited = false;
  let drainTimer: NodeJS.Timeout | undefined;
  const settle = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (exited) return;
    exited = true;
    clearTimeout(drainTimer);
    child.stdout?.destroy();
    child.stderr?.destroy();
    child.stdin?.destroy();
    options.onExit(code, signal);
  };
  child.on('error', () => {
    if (child.pid === undefined) settle(127, null);
  });
  child.on('exit', (code, signal) => {
    child.once('close', () => settle(code, signal));
    const groupId = child.pid;
    // While members of the group live on, they may hold the pipes: close them after a short grace,
    // re-checking first (once the members are gone, the pipes close by themselves). The pipes are
    // read once more before they are closed (setImmediate runs after the loop's I/O phase), so
    // output already written is not lost even if the event loop stalled past the timer.
    const waitForPipes = (): void => {
      const membersLeft = groupId !== undefined && groupHasMembers(groupId);
      drainTimer = setTimeout(() => {
        if (membersLeft && groupId !== undefined && !groupHasMembers(groupId)) return waitForPipes();
        setImmediate(() => settle(code, signal));
      }, membersLeft ? PIPE_DRAIN_GRACE_MS : OUTSIDE_HOLDER_GRACE_MS);
    };
    waitForPipes();
  });
  return child;
}
