import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, resolve } from 'node:path';
import { answerClientError } from './http/client-error.js';
import { ConnectionGuard } from './http/connection-guard.js';
import { answerHalfClosedClients } from './http/half-closed-clients.js';
import { createRequestHandler } from './http/request-handler.js';
import { Router } from './http/router.js';
import { StreamLimiter } from './http/stream-limiter.js';
import type { ResolvedOptions, SandboxServerOptions } from './options.js';
import { resolveShell } from './process/shell-path.js';
import { detectContainment, type Containment } from './process/containment.js';
import { createIsolationLayout } from './process/isolation-layout.js';
import { ProcessManager } from './process/process-manager.js';
import { createRunDirectory, removeRunDirectory } from './process/run-directory.js';
import { removeStaleRunDirectories, writeOwner } from './process/run-directory-owner.js';
import { CommandCgroups } from './process/command-cgroups.js';
import { execProcess } from './routes/exec-route.js';
import { health } from './routes/health-route.js';
import { getLogs, streamLogs } from './routes/logs-routes.js';
import { getProcess, killProcess, listProcesses, stopProcess } from './routes/process-routes.js';
import type { ServerContext } from './routes/server-context.js';
import { closeStdin, writeStdin } from './routes/stdin-routes.js';
import { generateToken } from './security/auth.js';
import { checkCorsOrigin } from './security/cors-origin-check.js';
import { isLoopbackHost } from './security/host-check.js';

/** Counters exposed for tests and monitoring. */
export interface SandboxServerStats {
  /** Processes ever started. */
  processes: number;
  /** Processes currently running. */
  running: number;
  /** Output bytes kept on disk over all processes (the figure `totalOutputDiskBytes` bounds). */
  retainedOutputBytes: number;
  /** Open connections. */
  connections: number;
}

/** A running local sandbox server. */
export interface SandboxServer {
  /** Base URL with the actual port, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The actual port (useful with `port: 0`). */
  readonly port: number;
  /** The bearer token clients must send (generated when not given). */
  readonly token: string;
  /** The options in effect, defaults applied. */
  readonly options: Readonly<ResolvedOptions>;
  /** The run directory holding the output files (removed by `close()`). */
  readonly runDirectory: string;
  /**
   * Run directories beside this one that servers killed before they could remove them had left
   * behind, removed at start (see `removeStaleRunDirectories`).
   */
  readonly staleRunDirectoriesRemoved: readonly string[];
  /** Current counters. */
  stats(): SandboxServerStats;
  /**
   * Stops accepting connections, sends SIGKILL to every command started (their whole PID
   * namespaces, or process groups) and waits for them to end; log streams and log answers still
   * being sent then send the rest of their output from disk and end cleanly, as caught-up ones do.
   * Both waits end at most {@link SHUTDOWN_GRACE_MS} (5 s) after `close()` was called: then every
   * socket left is closed (a reader still behind is cut), the output files and isolated mode's
   * run directory (not a given workspace) removed; resolves when done. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * How long `close()` waits at most, in milliseconds, from its call: for the commands to end, then
 * for log streams that are behind to send the rest of their output.
 */
export const SHUTDOWN_GRACE_MS = 5000;

/** Resolves after `milliseconds` (at once if not positive) without holding the process open. */
function delay(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, milliseconds)).unref());
}

/** The least memory limit of a command's tree: a shell and a few tools need about this much. */
const MIN_COMMAND_MEMORY_BYTES = 4 * 1024 * 1024;

/** `value` if it is undefined or a whole number of at least `minimum`; throws a clear error otherwise. */
function positiveLimit(name: string, value: number | undefined, minimum = 1): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isSafeInteger(value) || value < minimum)
    throw new Error(`invalid ${name} ${value}: expected a whole number of at least ${minimum}`);
  return value;
}

function resolveOptions(options: SandboxServerOptions, containment: Containment): ResolvedOptions {
  const host = options.host ?? '127.0.0.1';
  const auth = options.auth ?? true;
  if (!auth && !isLoopbackHost(host)) {
    throw new Error(`refusing to run without auth on non-loopback host '${host}'`);
  }
  return {
    port: options.port ?? 8080,
    host,
    token: options.token ?? generateToken(),
    auth,
    corsOrigins: [...(options.corsOrigins ?? [])],
    compatibility: options.compatibility ?? 'extended',
    keepaliveIntervalMs: options.keepaliveIntervalMs ?? 30_000,
    ndjsonKeepaliveIntervalMs: options.ndjsonKeepaliveIntervalMs ?? 5000,
    restartDelayMs: options.restartDelayMs ?? 1000,
    maxBodyBytes: options.maxBodyBytes ?? 1024 * 1024,
    maxStdinBytes: options.maxStdinBytes ?? 8 * 1024 * 1024,
    stdinBufferBytes: options.stdinBufferBytes ?? 16 * 1024 * 1024,
    dataDir: resolve(options.dataDir ?? tmpdir()),
    outputDiskBytes: positive(
      'outputDiskBytes',
      options.outputDiskBytes ?? options.outputMemoryBytes ?? 256 * 1024 * 1024,
    ),
    totalOutputDiskBytes: positive(
      'totalOutputDiskBytes',
      options.totalOutputDiskBytes ?? options.totalOutputMemoryBytes ?? 1024 * 1024 * 1024,
    ),
    maxFinishedProcesses: nonNegative('maxFinishedProcesses', options.maxFinishedProcesses ?? 1000),
    headersTimeoutMs: positive('headersTimeoutMs', options.headersTimeoutMs ?? 10_000),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs ?? 60_000),
    keepAliveTimeoutMs: positive('keepAliveTimeoutMs', options.keepAliveTimeoutMs ?? 5000),
    maxConnections: positive('maxConnections', options.maxConnections ?? 1024),
    stopGraceMs: options.stopGraceMs ?? 10_000,
    maxStreams: options.maxStreams ?? 256,
    onRequestRefused: options.onRequestRefused,
    inheritEnv: options.inheritEnv ?? false,
    passEnv: [...(options.passEnv ?? [])],
    isolate: containment.mode === 'isolated',
    workspace: containment.isolation?.workspace,
    network: containment.isolation?.network ?? true,
    hidePaths: containment.isolation?.hidden.map(({ path }) => path) ?? [],
    maxProcesses: positiveLimit('maxProcesses', options.maxProcesses),
    maxCpuSeconds: positiveLimit('maxCpuSeconds', options.maxCpuSeconds),
    maxMemoryBytes: positiveLimit('maxMemoryBytes', options.maxMemoryBytes, 1024 * 1024),
    maxTasks: positiveLimit('maxTasks', options.maxTasks),
    maxCommandMemoryBytes: positiveLimit(
      'maxCommandMemoryBytes',
      options.maxCommandMemoryBytes,
      MIN_COMMAND_MEMORY_BYTES,
    ),
    maxCommandCpuSeconds: positiveLimit('maxCommandCpuSeconds', options.maxCommandCpuSeconds),
    containment: containment.mode,
    containmentFallbackReason: containment.fallbackReason,
    shell: resolveShell(),
  };
}

/** Detects the containment; in isolated mode creates its directories in the run directory first. */
function prepareContainment(options: SandboxServerOptions, runDirectory: string): Containment {
  if (!options.isolate) return detectContainment(undefined);
  return detectContainment(
    createIsolationLayout(runDirectory, options.workspace, options.network ?? true, options.hidePaths),
  );
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${value}`);
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new Error(`${name} must be a non-negative integer, got ${value}`);
  return value;
}

function buildRouter(server: ServerContext): Router {
  return new Router()
    .add('GET', '/health', health(server))
    .add('GET', '/process', listProcesses(server))
    .add('POST', '/process', execProcess(server))
    .add('GET', '/process/:id', getProcess(server))
    .add('DELETE', '/process/:id', stopProcess(server))
    .add('DELETE', '/process/:id/kill', killProcess(server))
    .add('GET', '/process/:id/logs', getLogs(server))
    .add('GET', '/process/:id/logs/stream', streamLogs(server))
    .add('POST', '/process/:id/stdin', writeStdin(server))
    .add('DELETE', '/process/:id/stdin', closeStdin(server));
}

function listen(httpServer: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      const address = httpServer.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

/** Starts a local sandbox server and resolves once it accepts connections. */
export async function createSandboxServer(options: SandboxServerOptions = {}): Promise<SandboxServer> {
  positiveLimit('maxProcesses', options.maxProcesses);
  positiveLimit('maxCpuSeconds', options.maxCpuSeconds);
  positiveLimit('maxMemoryBytes', options.maxMemoryBytes, 1024 * 1024);
  positiveLimit('maxTasks', options.maxTasks);
  positiveLimit('maxCommandMemoryBytes', options.maxCommandMemoryBytes, MIN_COMMAND_MEMORY_BYTES);
  positiveLimit('maxCommandCpuSeconds', options.maxCommandCpuSeconds);
  for (const origin of options.corsOrigins ?? []) checkCorsOrigin(origin, 'corsOrigins entry');
  // One run directory holds the output files and, in isolated mode, the private HOME and the
  // default workspace; close() removes it.
  const runDirectory = createRunDirectory(options.dataDir);
  let containment: Containment;
  let resolved: ResolvedOptions;
  let cgroups: CommandCgroups | undefined;
  let staleRunDirectoriesRemoved: string[];
  try {
    writeOwner(runDirectory);
    staleRunDirectoriesRemoved = removeStaleRunDirectories(dirname(runDirectory), runDirectory);
    containment = prepareContainment(options, runDirectory);
    resolved = resolveOptions(options, containment);
    // A server that cannot hold the limits on each command's tree starts nothing.
    if (
      options.maxTasks !== undefined ||
      options.maxCommandMemoryBytes !== undefined ||
      options.maxCommandCpuSeconds !== undefined
    )
      cgroups = CommandCgroups.create({
        maxTasks: options.maxTasks,
        maxMemoryBytes: options.maxCommandMemoryBytes,
        maxCpuSeconds: options.maxCommandCpuSeconds,
      });
  } catch (error) {
    removeRunDirectory(runDirectory);
    throw error;
  }
  const manager = new ProcessManager({
    restartDelayMs: resolved.restartDelayMs,
    stopGraceMs: resolved.stopGraceMs,
    stdinBufferBytes: resolved.stdinBufferBytes,
    runDirectory,
    outputDiskBytes: resolved.outputDiskBytes,
    totalOutputDiskBytes: resolved.totalOutputDiskBytes,
    maxFinishedProcesses: resolved.maxFinishedProcesses,
    chunkRecords: resolved.compatibility === 'strict',
    secrets: [resolved.token],
    containment,
    shell: resolved.shell,
    inheritEnvironment: resolved.inheritEnv,
    passEnvironment: resolved.passEnv,
    limits: { cpuSeconds: resolved.maxCpuSeconds, memoryBytes: resolved.maxMemoryBytes },
    maxProcesses: resolved.maxProcesses,
    cgroups,
  });
  const context: ServerContext = {
    manager,
    options: resolved,
    streams: new StreamLimiter(resolved.maxStreams),
    instanceTag: randomBytes(6).toString('hex'),
  };
  const connections = new ConnectionGuard(resolved.maxConnections);
  const handleRequest = createRequestHandler(buildRouter(context), resolved);
  const httpServer = createServer(
    {
      headersTimeout: resolved.headersTimeoutMs,
      requestTimeout: Math.max(resolved.requestTimeoutMs, resolved.headersTimeoutMs),
      keepAliveTimeout: resolved.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, resolved.headersTimeoutMs),
      requireHostHeader: false,
    },
    (request, response) => {
      // A refused connection (answered 429 at connect) never gets a request handled.
      if (!connections.admitted(request.socket)) return void request.socket.destroy();
      response.once('close', connections.requestStarted(request.socket));
      handleRequest(request, response);
    },
  );
  answerHalfClosedClients(httpServer);
  httpServer.on('connection', (socket) => connections.admit(socket));
  httpServer.on('clientError', answerClientError);
  let port: number;
  try {
    port = await listen(httpServer, resolved.port, resolved.host);
  } catch (error) {
    // The manager first (its background work in the run directory ends), then the directory.
    await manager.endAll(SHUTDOWN_GRACE_MS);
    await manager.disposeAll();
    removeRunDirectory(runDirectory);
    await cgroups?.close();
    throw error;
  }
  const urlHost = resolved.host.includes(':') && !resolved.host.startsWith('[') ? `[${resolved.host}]` : resolved.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    token: resolved.token,
    options: { ...resolved, port },
    runDirectory,
    staleRunDirectoriesRemoved,
    stats: () => ({
      processes: manager.list().length,
      running: manager.list().filter((managed) => managed.status === 'running').length,
      retainedOutputBytes: manager.retainedOutputBytes(),
      connections: connections.size,
    }),
    close: () => {
      closing ??= (async () => {
        const deadline = Date.now() + SHUTDOWN_GRACE_MS;
        const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
        await manager.endAll(SHUTDOWN_GRACE_MS);
        // Every log has ended: a stream that is behind sends the rest from disk, then ends cleanly.
        await Promise.race([context.streams.whenIdle(), delay(deadline - Date.now())]);
        connections.destroyAll();
        await closed;
        await manager.disposeAll();
        removeRunDirectory(runDirectory);
        await cgroups?.close();
      })();
      return closing;
    },
  };
}
