import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { until as pollUntil } from '@sandproc/test-utils';
import { createSandboxServer, type SandboxServer } from '../create-sandbox-server.js';
import type { SandboxServerOptions } from '../options.js';
import type { ProcessJson } from '../process/process-status.js';

/** A parsed answer of the test client. */
export interface TestResponse<T = unknown> {
  status: number;
  headers: Headers;
  text: string;
  json: T;
}

/** Options of one test request. */
export interface TestRequestOptions {
  body?: unknown;
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
  auth?: boolean;
}

/** A server started on port 0 plus a small fetch-based client for it. */
export interface TestServer {
  server: SandboxServer;
  request<T = unknown>(method: string, path: string, options?: TestRequestOptions): Promise<TestResponse<T>>;
  exec(body: Record<string, unknown>): Promise<TestResponse<ProcessJson>>;
  get(identifier: string): Promise<ProcessJson>;
  waitForStatus(identifier: string, predicate: (process: ProcessJson) => boolean): Promise<ProcessJson>;
  authHeaders(): Record<string, string>;
}

/** Starts a server on 127.0.0.1, any free port. */
export async function startTestServer(options: SandboxServerOptions = {}): Promise<TestServer> {
  const server = await createSandboxServer({ port: 0, restartDelayMs: 200, keepaliveIntervalMs: 1000, ...options });
  const authHeaders = (): Record<string, string> => ({ Authorization: `Bearer ${server.token}` });
  const request = async <T>(
    method: string,
    path: string,
    requestOptions: TestRequestOptions = {},
  ): Promise<TestResponse<T>> => {
    const headers: Record<string, string> = {
      ...(requestOptions.auth === false ? {} : authHeaders()),
      ...requestOptions.headers,
    };
    let body: string | Uint8Array | undefined = requestOptions.rawBody;
    if (requestOptions.body !== undefined) {
      body = JSON.stringify(requestOptions.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(server.url + path, { method, headers, body: body as BodyInit | undefined });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json: json as T };
  };
  const get = async (identifier: string): Promise<ProcessJson> => {
    const response = await request<ProcessJson>('GET', `/process/${encodeURIComponent(identifier)}`);
    if (response.status !== 200) throw new Error(`GET ${identifier} answered ${response.status}: ${response.text}`);
    return response.json;
  };
  return {
    server,
    request,
    exec: (body) => request<ProcessJson>('POST', '/process', { body }),
    get,
    waitForStatus: async (identifier, predicate) => {
      let last: ProcessJson | undefined;
      await pollUntil(async () => {
        last = await get(identifier);
        return predicate(last);
      });
      return last as ProcessJson;
    },
    authHeaders,
  };
}

/** Polls `condition` until true, every 50 ms, failing after 20 s (the shared `until`). */
export { pollUntil };

/** True if a process with this pid exists and is not a zombie (a container's init may reap late). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

/** Reads a streamed body until `predicate(textSoFar)` holds, then cancels it. */
export async function readUntil(response: Response, predicate: (text: string) => boolean): Promise<string> {
  if (!response.body) throw new TypeError(`${response.url} answered with no body`);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (value) text += decoder.decode(value, { stream: true });
    if (predicate(text) || done) break;
  }
  await reader.cancel().catch(() => undefined);
  return text;
}

/** A process of a command as the host sees it. */
export interface HostProcess {
  pid: number;
  /** The pid the command itself sees (`$$`, `$!`): its pid in the command's PID namespace. */
  commandPid: number;
  /** Arguments joined by spaces. */
  cmdline: string;
  /** State letter (R, S, T, Z, ...). */
  state: string;
}

function readHostProcess(
  pid: number,
): (HostProcess & { parentPid: number; groupId: number; namespace: string }) | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const namespacePids = /^NSpid:\s+(.*)$/m.exec(status)?.[1]?.trim().split(/\s+/) ?? [String(pid)];
    return {
      pid,
      commandPid: Number(namespacePids[namespacePids.length - 1]),
      cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim(),
      state: fields[0] ?? '',
      parentPid: Number(fields[1]),
      groupId: Number(fields[2]),
      namespace: readlinkSync(`/proc/${pid}/ns/pid`),
    };
  } catch {
    return undefined;
  }
}

function allHostProcesses(): Array<NonNullable<ReturnType<typeof readHostProcess>>> {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => readHostProcess(Number(entry)) ?? []);
}

/**
 * The live processes of the command whose public pid is `publicPid` (Linux): in a PID namespace,
 * every process of it but its init; in fallback mode, the members of its process group.
 */
export function commandProcesses(publicPid: number | string, containment: string): HostProcess[] {
  const launcher = Number(publicPid);
  const all = allHostProcesses();
  if (containment === 'process-group') return all.filter((entry) => entry.groupId === launcher && entry.state !== 'Z');
  const own = readlinkSync('/proc/self/ns/pid');
  const init = all.find((entry) => entry.parentPid === launcher && entry.namespace !== own);
  if (init === undefined) return [];
  return all.filter((entry) => entry.namespace === init.namespace && entry.pid !== init.pid && entry.state !== 'Z');
}

/** The host pid of the process a command knows as `commandPid` (`$!`); throws if it is not alive. */
export function hostPidOf(publicPid: number | string, commandPid: number, containment: string): number {
  if (containment === 'process-group') return commandPid;
  const found = commandProcesses(publicPid, containment).find((entry) => entry.commandPid === commandPid);
  if (found === undefined) throw new Error(`no live process ${commandPid} in the command of pid ${publicPid}`);
  return found.pid;
}
