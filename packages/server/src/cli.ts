#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { createSandboxServer, type SandboxServer } from './create-sandbox-server.js';

const USAGE = `Usage: sandproc-server [options]

  --port <n>            port to listen on (default 8080, 0 = any free port)
  --host <address>      interface to listen on (default 127.0.0.1)
  --token <t>           bearer token (default: $SANDPROC_TOKEN, else a random one, printed)
  --no-auth             no token required (refused on a non-loopback host)
  --cors-origin <o>     answer CORS for this origin (repeatable)
  --strict              strict compatibility with the real Blaxel sandbox API
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
      'no-auth': { type: 'boolean', default: false },
      'cors-origin': { type: 'string', multiple: true },
      strict: { type: 'boolean', default: false },
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
  const givenToken = values.token ?? process.env['SANDPROC_TOKEN'];
  const server = await createSandboxServer({
    port,
    host: values.host,
    token: givenToken && givenToken.length > 0 ? givenToken : undefined,
    auth: !values['no-auth'],
    corsOrigins: values['cors-origin'] ?? [],
    compatibility: values.strict ? 'strict' : 'extended',
    dataDir: values['data-dir'],
    outputDiskBytes: parseCount('--max-output-bytes', values['max-output-bytes'], 1),
    totalOutputDiskBytes: parseCount('--max-total-output-bytes', values['max-total-output-bytes'], 1),
    maxFinishedProcesses: parseCount('--max-finished-processes', values['max-finished-processes'], 0),
    maxConnections: parseCount('--max-connections', values['max-connections'], 1),
  });
  installShutdown(server);
  process.stdout.write(`listening on ${server.url}\n`);
  if (values['no-auth']) process.stdout.write('auth: disabled\n');
  else if (!givenToken) process.stdout.write(`token: ${server.token}\n`);
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
  const shutdown = (signal: NodeJS.Signals): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    const forceExit = setTimeout(() => process.exit(1), 10_000);
    forceExit.unref();
    server.close().then(
      () => process.exit(signal === 'SIGINT' ? 130 : 0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  process.on('SIGHUP', shutdown);
}

main().catch((error: unknown) => {
  process.stderr.write(`sandproc-server: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  process.exit(2);
});
