/**
 * The entry point: a client for one sandbox's process API.
 */
import type { ClientOptions } from './client-options.js';
import { ProcessApi } from './process-api.js';
import { Transport } from './transport.js';

/** A client of one sandbox (or local server). */
export interface SandprocClient {
  /** The base URL, without a trailing slash. */
  readonly baseUrl: string;
  /** The process API: exec, get, list, stop, kill, logs, stdin, wait, streamLogs. */
  readonly process: ProcessApi;
}

/**
 * Creates a client. Works unchanged in browsers, edge runtimes, Node, Deno and Bun: it only uses
 * `fetch` (or the one you pass) and web streams.
 *
 * @example
 * const client = createClient({ baseUrl: 'http://127.0.0.1:8080', token });
 * const result = await client.process.exec({ command: 'echo hi', waitForCompletion: true });
 */
export function createClient(options: ClientOptions): SandprocClient {
  const transport = new Transport(options);
  return { baseUrl: transport.baseUrl, process: new ProcessApi(transport) };
}
