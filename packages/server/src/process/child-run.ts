import { spawn, type ChildProcess } from 'node:child_process';
import type { OutputStream } from './output-log.js';

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
 * After the shell exits, how long its pipes may stay open (held by a background child) before
 * they are closed and the exit is reported, in milliseconds.
 */
const PIPE_DRAIN_GRACE_MS = 200;

/** Spawns `sh -c <command>` as the leader of a new process group. Throws if the spawn is refused. */
export function startChildRun(options: ChildRunOptions): ChildProcess {
  const child = spawn('sh', ['-c', options.command], {
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
    drainTimer = setTimeout(() => settle(code, signal), PIPE_DRAIN_GRACE_MS);
    child.once('close', () => settle(code, signal));
  });
  return child;
}
