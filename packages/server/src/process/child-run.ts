import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { LaunchPlan } from './launch-plan.js';
import { NamespaceTree } from './namespace-tree.js';
import type { OutputStream } from './output-log.js';
import { ProcessGroupTree } from './process-group-tree.js';
import type { ProcessTree } from './process-tree.js';
import { parseInitReport } from './sandbox-init.js';
import type { FifoPool } from './fifo-pool.js';
import { openOsPipe, type OsPipe, type PipeDirection } from './os-pipe.js';

/** How to run the command once. */
export interface ChildRunOptions {
  /** What to spawn (the shell itself, or a launcher that puts it in a PID namespace). */
  launch: LaunchPlan;
  cwd: string | undefined;
  env: NodeJS.ProcessEnv;
  /** Open a stdin pipe (otherwise stdin is /dev/null). */
  stdin: boolean;
  /** Where the command's pipes come from (real pipes); without it, Node's UNIX sockets. */
  fifos: FifoPool | undefined;
  onOutput: (stream: OutputStream, chunk: Buffer) => void;
  /**
   * Called once, after the output pipes are drained (or the drain grace passed), with how the
   * command's shell ended. In a PID namespace the shell's status comes from the namespace's init
   * as `code` (128 + N after signal N, as a shell reports it), unless the whole namespace was killed
   * (`signal`).
   */
  onExit: (code: number | null, signal: NodeJS.Signals | null) => void;
}

/** One run of a command: the spawned child, every process it started, and when it is under way. */
export interface ChildRun {
  child: ChildProcess;
  /** The write end of the command's stdin pipe (null without one). */
  stdin: Writable | null;
  tree: ProcessTree;
  /** Resolves once the command runs (its namespace exists); rejects if it could not start. */
  started: Promise<void>;
}

/**
 * After the shell exits while other processes of the command live on (a background child that may
 * hold the output pipes open forever), how long the pipes may stay open before they are closed and
 * the exit is reported, in milliseconds.
 */
const PIPE_DRAIN_GRACE_MS = 200;

/**
 * After the shell exits with no other process of the command left, the pipes close as soon as
 * their last bytes are read, and the exit is reported then. Only a process outside the tree (a
 * `setsid` child in fallback mode) can still hold them; this bounds the wait for that case, in
 * milliseconds.
 */
const OUTSIDE_HOLDER_GRACE_MS = 5000;

/** Spawns the command as planned, as the leader of a new process group. Throws if the spawn is refused. */
export function startChildRun(options: ChildRunOptions): ChildRun {
  const { launch } = options;
  const inNamespace = launch.containment !== 'process-group';
  const openPipe = (direction: PipeDirection): OsPipe | undefined => {
    const path = options.fifos?.take();
    return path === undefined ? undefined : openOsPipe(path, direction);
  };
  const pipes = {
    stdin: options.stdin ? openPipe('to-child') : undefined,
    stdout: openPipe('from-child'),
    stderr: openPipe('from-child'),
  };
  const opened = [pipes.stdin, pipes.stdout, pipes.stderr].filter((pipe) => pipe !== undefined);
  const stdinSlot = options.stdin ? (pipes.stdin?.childDescriptor ?? 'pipe') : 'ignore';
  const stdoutSlot = pipes.stdout?.childDescriptor ?? 'pipe';
  const stderrSlot = pipes.stderr?.childDescriptor ?? 'pipe';
  let child: ChildProcess;
  try {
    child = spawn(launch.file, launch.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      // In a namespace: fd 2 is the launcher's own stderr (setpriv, unshare, bwrap: read only for a
      // start error, never part of the output), fd 3 the init's reports, fd 4 the command's stderr.
      stdio: inNamespace ? [stdinSlot, stdoutSlot, 'pipe', 'pipe', stderrSlot] : [stdinSlot, stdoutSlot, stderrSlot],
    });
  } catch (error) {
    for (const pipe of opened) pipe.serverEnd.destroy();
    throw error;
  } finally {
    for (const pipe of opened) closeSync(pipe.childDescriptor);
  }
  const stdin: Writable | null = pipes.stdin?.serverEnd ?? child.stdin;
  const stdoutReadable: Readable | null | undefined = pipes.stdout?.serverEnd ?? child.stdout;
  const stderrReadable: Readable | null | undefined =
    pipes.stderr?.serverEnd ?? (inNamespace ? (child.stdio[4] as Readable | null | undefined) : child.stderr);
  // The child's 'close' waits for the pipes Node made; the server's ends of the real pipes are waited for too.
  const closing = [child, pipes.stdout?.serverEnd, pipes.stderr?.serverEnd].filter((emitter) => emitter !== undefined);
  const allClosed = Promise.all(
    closing.map((emitter) => new Promise<void>((resolve) => emitter.once('close', () => resolve()))),
  );
  const groupId = child.pid;
  const namespaceTree = inNamespace && groupId !== undefined ? new NamespaceTree(groupId) : undefined;
  const tree: ProcessTree = namespaceTree ?? new ProcessGroupTree(groupId ?? 0);
  stdin?.on('error', () => undefined);
  let isStarted = !inNamespace;
  /** What the launcher said before the command started (why it could not), for the start error. */
  let launcherErrors = '';
  const outputs: [OutputStream, Readable | null | undefined][] = [
    ['stdout', stdoutReadable],
    ['stderr', stderrReadable],
  ];
  for (const [stream, readable] of outputs) {
    readable?.on('data', (chunk: Buffer) => {
      if (!inNamespace && !isStarted && stream === 'stderr' && launcherErrors.length < 1000)
        launcherErrors += chunk.toString('utf8');
      options.onOutput(stream, chunk);
    });
    readable?.on('error', () => undefined);
  }
  if (inNamespace) {
    child.stderr?.on('data', (chunk: Buffer) => {
      if (!isStarted && launcherErrors.length < 1000) launcherErrors += chunk.toString('utf8');
    });
    child.stderr?.on('error', () => undefined);
  }
  let exited = false;
  let shellEnded = false;
  let drainTimer: NodeJS.Timeout | undefined;
  let markStarted: () => void = () => undefined;
  let markFailed: (error: Error) => void = () => undefined;
  const started = new Promise<void>((resolve, reject) => {
    markStarted = resolve;
    markFailed = reject;
  });
  started.catch(() => undefined);
  if (!inNamespace && groupId !== undefined) markStarted();

  const settle = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (exited) return;
    exited = true;
    clearTimeout(drainTimer);
    stdoutReadable?.destroy();
    stderrReadable?.destroy();
    child.stdout?.destroy();
    child.stderr?.destroy();
    stdin?.destroy();
    child.stdio[3]?.destroy();
    child.stdio[4]?.destroy();
    options.onExit(code, signal);
  };
  // The shell ended: while other processes of the command live on, they may hold the pipes: close
  // them after a short grace, re-checking first (once they are gone, the pipes close by themselves).
  // The pipes are read once more before they are closed (setImmediate runs after the loop's I/O
  // phase), so output already written is not lost even if the event loop stalled past the timer.
  const shellExited = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (shellEnded) return;
    shellEnded = true;
    const reason = launcherErrors.trim().split('\n')[0];
    markFailed(
      new Error(
        `the command could not start (${launch.file} ended with ${signal ?? code})${reason ? `: ${reason}` : ''}`,
      ),
    );
    void allClosed.then(() => settle(code, signal));
    const waitForPipes = (): void => {
      const membersLeft = tree.hasMembers();
      drainTimer = setTimeout(
        () => {
          if (exited) return;
          if (membersLeft && !tree.hasMembers()) return waitForPipes();
          setImmediate(() => settle(code, signal));
        },
        membersLeft ? PIPE_DRAIN_GRACE_MS : OUTSIDE_HOLDER_GRACE_MS,
      );
    };
    waitForPipes();
  };

  child.on('error', () => {
    if (child.pid === undefined) {
      markFailed(new Error(`cannot run ${launch.file}`));
      settle(127, null);
    }
  });
  const reports = child.stdio[3] as Readable | null | undefined;
  if (reports)
    readInitReports(reports, (report) => {
      if (report.kind === 'exit') {
        if (!report.othersLeft) namespaceTree?.markEmpty();
        return shellExited(report.status, null);
      }
      namespaceTree?.hasMembers(); // locates the init while it surely lives
      isStarted = true;
      markStarted();
    });
  child.on('exit', (launcherCode, launcherSignal) => {
    namespaceTree?.launcherExited();
    // Without a report from the init (the namespace was killed), the launcher's status stands for
    // the command's, and a namespace the server killed ended by SIGKILL whatever the launcher says.
    const [code, signal] = namespaceTree?.killed ? [null, 'SIGKILL' as const] : [launcherCode, launcherSignal];
    // The init's report may still be unread: the report pipe ends once the launcher is gone.
    if (!reports || reports.destroyed || reports.readableEnded) shellExited(code, signal);
    else reports.once('close', () => shellExited(code, signal));
  });
  return { child, stdin, tree, started };
}

/** Calls `onReport` for each line the namespace's init writes on its report pipe. */
function readInitReports(
  readable: Readable,
  onReport: (report: NonNullable<ReturnType<typeof parseInitReport>>) => void,
): void {
  let pending = '';
  readable.setEncoding('utf8');
  readable.on('error', () => undefined);
  readable.on('data', (chunk: string) => {
    pending += chunk;
    for (let end = pending.indexOf('\n'); end >= 0; end = pending.indexOf('\n')) {
      const report = parseInitReport(pending.slice(0, end));
      pending = pending.slice(end + 1);
      if (report) onReport(report);
    }
  });
}
