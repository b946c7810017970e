/**
 * The first process of a command's PID namespace (its "init"), a POSIX `sh` script. It runs the
 * command in the foreground, in a subshell that reports on file descriptor 3 that it exists
 * (`ready`, so that a signal sent from then on reaches it) before it becomes the command's shell;
 * the init then reports how the command's shell ended (`exit <status> <others>`, the shell's `$?`:
 * 128 + N after signal N, and 1 if other processes of the namespace were left then, else 0;
 * without any, nothing can start in it any more), then stays while any other process of the namespace lives (a background child
 * of the command), reaping orphans, and exits when the namespace is empty. The kernel kills every process of the namespace
 * when the init dies, and the init dies with the server (parent-death signal), so nothing the
 * command started outlives the server.
 *
 * The command's shell gets neither file descriptor 3 nor the init's copies of the output pipes
 * after it ended, so the pipes close as soon as the command and its children are done.
 *
 * Arguments: `$1` the command, `$2` the shell, `$3` the limits (a `ulimit` prefix, may be empty),
 * `$4` the absolute path of `sleep` (the command's `PATH` may not find it).
 */
export const SANDBOX_INIT_SCRIPT = [
  // The init's own stderr goes to /dev/null while it waits (it would print "Terminated" when the
  // command dies of a signal); the command's stderr is file descriptor 4 (fd 2 is the launcher's).
  `exec 2>/dev/null`,
  `(exec 2>&4 4>&- && printf 'ready\\n' >&3 && exec 3>&- && eval "$3" && exec "$2" -c "$1")`,
  `status=$?`,
  `exec >/dev/null 4>&- </dev/null`,
  `if kill -0 -1 2>/dev/null; then others=1; else others=0; fi`,
  `printf 'exit %s %s\\n' "$status" "$others" >&3`,
  `exec 3>&-`,
  `while kill -0 -1 2>/dev/null; do "$4" 1; done`,
].join('\n');

/** `$0` of the init, shown by `ps` inside the namespace. */
export const SANDBOX_INIT_NAME = 'sandproc-init';

/** Limits applied to every process of a command (each process counts on its own). */
export interface CommandLimits {
  /** CPU time per process, in seconds (RLIMIT_CPU soft limit; SIGXCPU past it, SIGKILL one second later). */
  cpuSeconds: number | undefined;
  /** Data memory (heap and private writable mappings) per process, in bytes (RLIMIT_DATA). */
  memoryBytes: number | undefined;
}

/**
 * The `ulimit` commands that apply `limits` in a POSIX shell (`true` when there are none). The soft
 * CPU limit is set before the hard one, which a soft limit above it would refuse.
 */
export function limitCommands(limits: CommandLimits): string {
  const commands: string[] = [];
  if (limits.cpuSeconds !== undefined)
    commands.push(`ulimit -S -t ${limits.cpuSeconds}`, `ulimit -H -t ${limits.cpuSeconds + 1}`);
  if (limits.memoryBytes !== undefined)
    commands.push(`ulimit -d ${Math.max(1, Math.floor(limits.memoryBytes / 1024))}`);
  return commands.length > 0 ? commands.join(' && ') : 'true';
}

/** Parses one line the init wrote on file descriptor 3. */
export function parseInitReport(
  line: string,
): { kind: 'ready' } | { kind: 'exit'; status: number; othersLeft: boolean } | undefined {
  if (line === 'ready') return { kind: 'ready' };
  const match = /^exit (\d+) ([01])$/.exec(line);
  return match ? { kind: 'exit', status: Number(match[1]), othersLeft: match[2] === '1' } : undefined;
}
