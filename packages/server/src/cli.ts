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
    onRequestRefused: (message) => process.stderr.write(`sandproc-server: ${message}\n`),
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

function installShutdown(server: SandboxServer): void {
  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals): void => {
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
  return { address: typeof address === 'string' ? address : 'this host', port: typeof port === 'number' ? port : Number.NaN };
}
