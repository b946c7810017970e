/**
 * Starts the real local server for a test file, in either compatibility mode, or the real Blaxel
 * sandbox-api (the reference lane) when its binary is there.
 */
import { createSandboxServer, type SandboxServerOptions } from '@sandproc/server';
import { findReferenceBinary, startReferenceServer } from '../../../server/test/reference/reference-server.js';
import { createClient, type ClientOptions, type SandprocClient } from '../../src/index.js';

/** Our server in one of its modes, or `'reference'`: the real server (no token, fixed settings). */
export type Mode = 'extended' | 'strict' | 'reference';
/** True when the reference binary is there (see `packages/server/test/reference`). */
export const referenceAvailable = findReferenceBinary() !== undefined;
/** Every server the compatibility suite runs against. */
export const modes: Mode[] = referenceAvailable ? ['extended', 'strict', 'reference'] : ['extended', 'strict'];

export interface Sandbox {
  mode: Mode;
  url: string;
  token: string;
  client: SandprocClient;
  /** A client of the same server through another base URL (e.g. a fault proxy). */
  clientFor(baseUrl: string, options?: Partial<ClientOptions>): SandprocClient;
  close(): Promise<void>;
}

/**
 * Starts a server for `mode`. The reference ignores `options`: it has no token, 30 s stream
 * keepalives, 5 s NDJSON keepalives and its own limits.
 */
export async function startSandbox(mode: Mode, options: SandboxServerOptions = {}): Promise<Sandbox> {
  if (mode === 'reference') {
    const reference = await startReferenceServer();
    const clientFor = (baseUrl: string, clientOptions: Partial<ClientOptions> = {}) =>
      createClient({ baseUrl, retry: { initialDelayMs: 50 }, ...clientOptions });
    return {
      mode,
      url: reference.url,
      token: '',
      client: clientFor(reference.url),
      clientFor,
      close: () => reference.stop(),
    };
  }
  const server = await createSandboxServer({ port: 0, compatibility: mode, restartDelayMs: 200, ...options });
  const clientFor = (baseUrl: string, clientOptions: Partial<ClientOptions> = {}) =>
    createClient({ baseUrl, token: server.token, retry: { initialDelayMs: 50 }, ...clientOptions });
  return {
    mode,
    url: server.url,
    token: server.token,
    client: clientFor(server.url),
    clientFor,
    close: () => server.close(),
  };
}

/** Polls `condition` until it holds, every 50 ms, failing after 20 s (the shared helper). */
export { until } from '@sandproc/test-utils';
