/**
 * Starts the real local server for a test file, in either compatibility mode.
 */
import { createSandboxServer, type SandboxServerOptions } from '@sandproc/server';
import { createClient, type ClientOptions, type SandprocClient } from '../../src/index.js';

export type Mode = 'extended' | 'strict';
export const modes: Mode[] = ['extended', 'strict'];

export interface Sandbox {
  url: string;
  token: string;
  client: SandprocClient;
  /** A client of the same server through another base URL (e.g. a fault proxy). */
  clientFor(baseUrl: string, options?: Partial<ClientOptions>): SandprocClient;
  close(): Promise<void>;
}

export async function startSandbox(mode: Mode, options: SandboxServerOptions = {}): Promise<Sandbox> {
  const server = await createSandboxServer({ port: 0, compatibility: mode, restartDelayMs: 200, ...options });
  const clientFor = (baseUrl: string, clientOptions: Partial<ClientOptions> = {}) =>
    createClient({ baseUrl, token: server.token, retry: { initialDelayMs: 50 }, ...clientOptions });
  return { url: server.url, token: server.token, client: clientFor(server.url), clientFor, close: () => server.close() };
}

/** Polls `condition` until it holds, every 50 ms, failing after 20 s (the shared helper). */
export { until } from '@sandproc/test-utils';
