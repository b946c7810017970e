#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createSandboxServer, type SandboxServer } from './create-sandbox-server.js';
import { checkCorsOrigin } from './security/cors-origin-check.js';
import type { ResolvedOptions } from './options.js';

const USAGE = `Usage: sandproc-server [options]

  --port <n>            port to listen on (default 8080, 0 = any free port)
  --host <address>      interface to listen on (default 127.0.0.1)
  --token-file <path>   read the bearer token from this file (first line)
                        (default: $SANDPROC_TOKEN, else a random one, printed)
  --token <t>           bearer token on the command line: visible to every local user, avoid
  --no-auth             no token required (refused on a non-loopback host)
  --cors-origin <o>     answer CORS for this origin (repeatable)
  --strict              strict compatibility with the real Blaxel sandbox API
  --inherit-env         give commands the server's whole environment (default: a small set)
  --pass-env <NAME>     also give commands this variable of the server's environment (repeatable)
  --isolate             run commands in bubblewrap: host filesystem read-only, private HOME and /tmp
  --workspace <dir>     the writable directory of --isolate (default: a fresh one, removed on exit)
  --no-network          with --isolate: no network but a private loopback
  --max-processes <n>   commands running at once; more are refused with 422
  --max-cpu-seconds <n> CPU time of each process of a command, in seconds
  --max-memory-mib <n>  data memory of each process of a command, in MiB
  --max-tasks <n>       processes and threads of one command at once, its whole tree (a cgroup;
                        Linux, as root): a fork past it fails, so a fork bomb stops there
  --max-command-memory-mib <n>  memory of one command at once in MiB, its whole tree (a cgroup;
                        Linux, as root; at least 4): past it the kernel ends a process of it
  --max-command-cpu-seconds <n> CPU time of one command in seconds, its whole tree together (a
                        cgroup v1 cpuacct; Linux, as root): past it the whole tree is killed
  --data-dir <dir>      where the run directory of output files is created (default: the system temp dir)
  --max-output-bytes <n>        output kept on disk per process (default 268435456 = 256 MiB)
  --max-total-output-bytes <n>  output kept on disk over all processes (default 1073741824 = 1 GiB)
  --max-finished-processes <n>  finished process records kept, oldest forgotten first (default 1000)
  --max-connections <n>         open connections (default 1024; the oldest idle one makes room)
  -h, --help            show this help
`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string', default: '127.0.0.1' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      'no-auth': { type: 'boolean', default: false },
      'cors-origin': { type: 'string', multiple: true },
      strict: { type: 'boolean', default: false },
      'inherit-env': { type: 'boolean', default: false },
      'pass-env': { type: 'string', multiple: true },
      isolate: { type: 'boolean', default: false },
      workspace: { type: 'string' },
      'no-network': { type: 'boolean', default: false },
      'max-processes': { type: 'string' },
      'max-tasks': { type: 'string' },
      'max-cpu-seconds': { type: 'string' },
      'max-memory-mib': { type: 'string' },
      'max-command-memory-mib': { type: 'string' },
      'max-command-cpu-seconds': { type: 'string' },
      'data-dir': { type: 'string' },
      'max-output-bytes': { type: 'string' },
      'max-total-output-bytes': { type: 'string' },
      'max-finished-processes': { type: 'string' },
      'max-connections': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return;
  }
  const port = parsePort(values.port);
  const givenToken = readToken(values.token, values['token-file']);
  if (values.workspace !== undefined && !values.isolate) throw new Error('--workspace needs --isolate');
  if (values['no-network'] && !values.isolate) throw new Error('--no-network needs --isolate');
  for (const origin of values['cors-origin'] ?? []) checkCorsOrigin(origin, '--cors-origin');
  const server = await createSandboxServer({
    port,
    host: values.host,
    token: givenToken,
    auth: !values['no-auth'],
    corsOrigins: values['cors-origin'] ?? [],
    compatibility: values.strict ? 'strict' : 'extended',
    onRequestRefused: (message) => process.stderr.write(`sandproc-server: ${message}\n`),
    inheritEnv: values['inherit-env'],
    passEnv: values['pass-env'] ?? [],
    isolate: values.isolate,
    workspace: values.workspace,
    network: !values['no-network'],
    // Commands must not read the token from its file (the host filesystem is readable in isolated mode).
    hidePaths: values['token-file'] !== undefined ? [values['token-file']] : [],
    maxProcesses: parseCount('--max-processes', values['max-processes'], 1),
    maxTasks: parseCount('--max-tasks', values['max-tasks'], 1),
    maxCpuSeconds: parseCount('--max-cpu-seconds', values['max-cpu-seconds'], 1),
    maxMemoryBytes: mebibytes(parseCount('--max-memory-mib', values['max-memory-mib'], 1)),
    maxCommandMemoryBytes: mebibytes(parseCount('--max-command-memory-mib', values['max-command-memory-mib'], 4)),
    maxCommandCpuSeconds: parseCount('--max-command-cpu-seconds', values['max-command-cpu-seconds'], 1),
    dataDir: values['data-dir'],
    outputDiskBytes: parseCount('--max-output-bytes', values['max-output-bytes'], 1),
    totalOutputDiskBytes: parseCount('--max-total-output-bytes', values['max-total-output-bytes'], 1),
    maxFinishedProcesses: parseCount('--max-finished-processes', values['max-finished-processes'], 0),
    maxConnections: parseCount('--max-connections', values['max-connections'], 1),
  });
  installShutdown(server);
  process.stdout.write(`listening on ${server.url}\n`);
  process.stdout.write(`${containmentBanner(server.options)}\n`);
  for (const path of server.staleRunDirectoriesRemoved)
    process.stdout.write(`removed ${path}, left behind by a server that was killed\n`);
  if (values['no-auth']) process.stdout.write('auth: disabled\n');
  else if (!givenToken) process.stdout.write(`token: ${server.token}\n`);
}

/**
 * The token from `--token-file`, `--token` (with a warning: the command line is visible to every
 * local user) or `SANDPROC_TOKEN`, which the server then deletes from its own environment. The
 * process title replaces the command line, so `ps` no longer shows a `--token` once started.
 */
function readToken(fromFlag: string | undefined, file: string | undefined): string | undefined {
  const fromEnvironment = process.env.SANDPROC_TOKEN;
  delete process.env.SANDPROC_TOKEN;
  if (fromFlag !== undefined && file !== undefined) throw new Error('give either --token or --token-file, not both');
  if (fromFlag !== undefined) {
    process.title = 'sandproc-server';
    process.stderr.write(
      'warning: --token is visible to every local user (ps, /proc) until the server starts; use SANDPROC_TOKEN or --token-file\n',
    );
  }
  let token = fromFlag ?? fromEnvironment;
  if (file !== undefined) {
    token = readTokenFile(file).split(/\r?\n/)[0]?.trim();
    if (!token) throw new Error(`--token-file '${file}' holds no token on its first line`);
  }
  return token !== undefined && token.length > 0 ? token : undefined;
}

/** The text of the `--token-file`, or an error that names the flag and says why it cannot be read. */
function readTokenFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    const reason =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'it is a directory'
            : (error as Error).message;
    throw new Error(`cannot read --token-file '${file}': ${reason}`);
  }
}

/** A whole number of at least 1, or undefined when the flag is absent. */
function mebibytes(value: number | undefined): number | undefined {
  return value === undefined ? undefined : value * 1024 * 1024;
}

/** The startup line that says how commands are contained. */
function containmentBanner(options: Readonly<ResolvedOptions>): string {
  const limits = [
    options.maxProcesses !== undefined ? `${options.maxProcesses} processes at once` : undefined,
    options.maxCpuSeconds !== undefined ? `${options.maxCpuSeconds} CPU s per process` : undefined,
    options.maxMemoryBytes !== undefined ? `${options.maxMemoryBytes / 1048576} MiB per process` : undefined,
    options.maxTasks !== undefined ? `${options.maxTasks} tasks per command (cgroup)` : undefined,
    options.maxCommandMemoryBytes !== undefined
      ? `${options.maxCommandMemoryBytes / 1048576} MiB per command (cgroup)`
      : undefined,
    options.maxCommandCpuSeconds !== undefined
      ? `${options.maxCommandCpuSeconds} CPU s per command (cgroup)`
      : undefined,
  ].filter((limit) => limit !== undefined);
  const limitText = limits.length > 0 ? `; limits: ${limits.join(', ')}` : '';
  if (options.containment === 'isolated') {
    return `containment: isolated (bubblewrap: host filesystem read-only, workspace ${options.workspace}, network ${options.network ? 'on' : 'off'})${limitText}`;
  }
  if (options.containment === 'namespace')
    return `containment: namespace (a PID namespace per command; children die with the server)${limitText}`;
  return `containment: process-group (fallback: ${options.containmentFallbackReason ?? 'no PID namespaces'}; a child that calls setsid, or any child after a SIGKILL of the server, can outlive it)${limitText}`;
}

/** A decimal port number, 0 to 65535 (0 = any free port); anything else ('', '0x2F', '1e2', ' 5') is refused. */
function parsePort(value: string): number {
  const port = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new Error(`invalid --port '${value}': expected a decimal number from 0 to 65535`);
  }
  return port;
}

/** A decimal integer flag of at least `minimum`, or undefined when the flag is absent. */
function parseCount(flag: string, value: string | undefined, minimum: number): number | undefined {
  if (value === undefined) return undefined;
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(Number.isSafeInteger(count) && count >= minimum)) {
    throw new Error(`invalid ${flag} '${value}': expected a decimal integer of at least ${minimum}`);
  }
  return count;
}

function installShutdown(server: SandboxServer): void {
  let shuttingDown = false;
  const shutdown = (): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    const forceExit = setTimeout(() => process.exit(1), 10_000);
    forceExit.unref();
    // A clean stop exits 0 whatever the signal, so Ctrl-C through `npm run`/`pnpm` ends quietly.
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);
}

main().catch((error: unknown) => {
  const busy = addressInUse(error);
  if (busy) {
    // Not a usage mistake: say what is wrong and how to get past it, without the usage text.
    process.stderr.write(
      `sandproc-server: port ${busy.port} on ${busy.address} is already in use (another sandproc-server?). ` +
        'Stop the other server, or choose another port: --port <n> (--port 0 picks a free one).\n',
    );
    process.exit(1);
  }
  process.stderr.write(`sandproc-server: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
});

/** The address and port of a listen error `EADDRINUSE`, else null. */
function addressInUse(error: unknown): { address: string; port: number } | null {
  const { code, address, port } = (error ?? {}) as { code?: unknown; address?: unknown; port?: unknown };
  if (code !== 'EADDRINUSE') return null;
  return {
    address: typeof address === 'string' ? address : 'this host',
    port: typeof port === 'number' ? port : Number.NaN,
  };
}
