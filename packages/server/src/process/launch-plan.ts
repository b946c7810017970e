import { isWithin } from './path-within.js';
import { findOnServerPath } from './shell-path.js';
import { limitCommands, SANDBOX_INIT_NAME, SANDBOX_INIT_SCRIPT, type CommandLimits } from './sandbox-init.js';

/**
 * How the server keeps a command's processes together:
 * - `'namespace'`: each command in its own PID namespace (`unshare`, Linux, root) whose init dies
 *   with the server; the kernel ends every process of it, `setsid` ones included.
 * - `'isolated'`: the same inside bubblewrap, with the host filesystem read-only (`--isolate`).
 * - `'process-group'`: the fallback where namespaces are not available (macOS, no privileges):
 *   each command leads a process group; a child that leaves it (`setsid`) escapes the server,
 *   and a SIGKILL of the server leaves the command running.
 */
export type ContainmentMode = 'namespace' | 'isolated' | 'process-group';

/** The filesystem of isolated mode (paths are the same on the host and inside the sandbox). */
export interface IsolationLayout {
  /** The server's run directory: hidden inside the sandbox (an empty tmpfs) but for `home` and a default `workspace` in it. */
  runDirectory: string;
  /** Writable directory, the default working directory. */
  workspace: string;
  /** Writable private `HOME`, shared by the commands of one server. */
  home: string;
  /** Keep the host's network (`false`: only a private loopback). */
  network: boolean;
  /** Resolved host paths shown empty inside the sandbox (an empty file, or an empty tmpfs for a directory). */
  hidden: readonly { path: string; directory: boolean }[];
}

/** The program the server spawns for one run of a command. */
export interface LaunchPlan {
  containment: ContainmentMode;
  file: string;
  args: string[];
}

/** What to launch. */
export interface LaunchRequest {
  command: string;
  /** Absolute path of the shell that runs the command (`<shell> -c <command>`). */
  shell: string;
  limits: CommandLimits;
  /** Working directory; in isolated mode it is set inside the sandbox (`--chdir`). */
  cwd: string | undefined;
  /**
   * cgroups' `cgroup.procs` files: the launcher joins them before anything of the command starts (a
   * shell that writes its pid to each, then becomes the launcher), so the whole tree is born in them.
   */
  joinCgroups?: readonly string[];
}

/** The launcher arguments that put a command in its own PID namespace with a fresh `/proc`, dying with the server. */
export const NAMESPACE_LAUNCHER = [
  'setpriv',
  '--pdeathsig',
  'KILL',
  '--',
  'unshare',
  '--pid',
  '--fork',
  '--kill-child',
  '--mount-proc',
  '--',
] as const;

/**
 * bubblewrap arguments of isolated mode, up to the command. The run directory is covered by an
 * empty tmpfs, so a command never reads or changes the output files of any command.
 */
export function bubblewrapArguments(layout: IsolationLayout, cwd: string | undefined): string[] {
  const workspaceInRun = isWithin(layout.workspace, layout.runDirectory);
  return [
    '--die-with-parent',
    '--unshare-pid',
    '--as-pid-1',
    '--unshare-ipc',
    '--cap-drop',
    'ALL',
    ...(layout.network ? [] : ['--unshare-net']),
    '--ro-bind',
    '/',
    '/',
    '--dev',
    '/dev',
    '--proc',
    '/proc',
    '--tmpfs',
    '/tmp',
    // A given workspace is bound before the run directory is hidden (it may hold the run
    // directory: --data-dir inside --workspace), the default one, inside it, after.
    ...(workspaceInRun ? [] : ['--bind', layout.workspace, layout.workspace]),
    '--tmpfs',
    layout.runDirectory,
    '--bind',
    layout.home,
    layout.home,
    ...(workspaceInRun ? ['--bind', layout.workspace, layout.workspace] : []),
    ...layout.hidden.flatMap(({ path, directory }) =>
      directory ? ['--tmpfs', path] : ['--ro-bind', '/dev/null', path],
    ),
    '--chdir',
    cwd ?? layout.workspace,
    '--',
  ];
}

/** Builds what to spawn for `request` in `containment`. */
export function planLaunch(containment: ContainmentMode, request: LaunchRequest, layout?: IsolationLayout): LaunchPlan {
  const plan = planLauncher(containment, request, layout);
  const files = request.joinCgroups ?? [];
  if (files.length === 0) return plan;
  // The shell writes its pid to every file up to `--`, then runs the launcher in its place.
  const joinThenRun = 'while [ "$1" != -- ]; do echo $$ > "$1" || exit 126; shift; done; shift; exec "$@"';
  return {
    ...plan,
    file: findOnServerPath('sh'),
    args: ['-c', joinThenRun, 'sandproc-join-cgroups', ...files, '--', plan.file, ...plan.args],
  };
}

function planLauncher(containment: ContainmentMode, request: LaunchRequest, layout?: IsolationLayout): LaunchPlan {
  const limits = limitCommands(request.limits);
  // Every program the server starts is found on the server's own PATH, never the child's: a
  // request's `env` may set `PATH` to anything (the real server finds its shell the same way).
  const sh = findOnServerPath('sh');
  const init = [
    sh,
    '-c',
    SANDBOX_INIT_SCRIPT,
    SANDBOX_INIT_NAME,
    request.command,
    request.shell,
    limits,
    findOnServerPath('sleep'),
  ];
  if (containment === 'namespace') {
    const launcher = NAMESPACE_LAUNCHER.map((part) =>
      part === 'setpriv' || part === 'unshare' ? findOnServerPath(part) : part,
    );
    const [file, ...args] = [...launcher, ...init] as [string, ...string[]];
    return { containment, file, args };
  }
  if (containment === 'isolated') {
    if (layout === undefined) throw new Error('isolated mode needs an isolation layout');
    return {
      containment,
      file: findOnServerPath('bwrap'),
      args: [...bubblewrapArguments(layout, request.cwd), ...init],
    };
  }
  if (limits === 'true') return { containment, file: request.shell, args: ['-c', request.command] };
  return { containment, file: sh, args: ['-c', `${limits} && exec "$0" -c "$1"`, request.shell, request.command] };
}
