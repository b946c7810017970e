import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pollUntil } from './test-server.js';

/** The published bin (`sandproc-server`), built before the tests run. */
export const BUILT_CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

/** A server started as its own operating-system process, plus what it printed. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  /** Sends `signal` to the whole process group (a script runner such as pnpm does not pass signals on). */
  signal(signal: NodeJS.Signals): void;
  output(): string;
  exited: Promise<number | null>;
  /** Resolves with the URL once the server printed `listening on <url>`. */
  listening(): Promise<string>;
  /** `fetch` with the token, JSON body and answer. */
  request<T>(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: T }>;
}

/** Spawns `command` (default: node + the built CLI) with exactly `env`, as the leader of a new process group. */
export function startCliProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  command: string[] = [process.execPath, BUILT_CLI],
  cwd?: string,
): CliProcess {
  const [file, ...commandArgs] = command as [string, ...string[]];
  const child = spawn(file, [...commandArgs, ...args], { env, cwd, detached: true });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let url = '';
  return {
    child,
    signal: (signal) => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, signal);
      } catch {
        // Already gone.
      }
    },
    output: () => output,
    exited,
    listening: async () => {
      await pollUntil(() => /listening on http:\/\/\S+\n/.test(output), 120_000);
      url = /listening on (http:\/\/\S+)/.exec(output)?.[1] ?? '';
      return url;
    },
    request: async <T>(token: string, method: string, path: string, body?: unknown) => {
      const response = await fetch(url + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      return { status: response.status, json: (text ? JSON.parse(text) : undefined) as T };
    },
  };
}
