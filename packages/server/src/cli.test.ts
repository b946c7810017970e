import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { isAlive, pollUntil } from './testing/test-server.js';

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
const started: ChildProcessWithoutNullStreams[] = [];

function startCli(args: string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcessWithoutNullStreams; output: () => string; exited: Promise<number | null> } {
  const childEnv = { ...process.env, ...env };
  if (!('SANDPROC_TOKEN' in env)) delete childEnv['SANDPROC_TOKEN'];
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env: childEnv });
  started.push(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { output += chunk; });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

afterEach(() => {
  for (const child of started.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

describe('sandproc-server CLI', () => {
  it('prints the URL and a generated token, serves, and SIGTERM leaves no orphan', async () => {
    const cli = startCli(['--port', '0']);
    await pollUntil(() => /listening on http:\/\/127\.0\.0\.1:\d+\n/.test(cli.output()) && /token: [0-9a-f]{64}\n/.test(cli.output()), 30_000);
    const url = /listening on (http:\/\/\S+)/.exec(cli.output())?.[1] ?? '';
    const token = /token: (\S+)/.exec(cli.output())?.[1] ?? '';
    const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
    expect((await fetch(`${url}/process`)).status).toBe(401);
    const started = await fetch(`${url}/process`, { method: 'POST', headers, body: JSON.stringify({ command: 'sleep 300 & echo $!; wait' }) });
    const created = (await started.json()) as { pid: string };
    let backgroundPid = 0;
    await pollUntil(async () => {
      const current = (await (await fetch(`${url}/process/${created.pid}`, { headers })).json()) as { stdout: string };
      backgroundPid = Number(current.stdout.trim());
      return backgroundPid > 0;
    });
    expect(isAlive(backgroundPid)).toBe(true);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    await pollUntil(() => !isAlive(backgroundPid) && !isAlive(Number(created.pid)));
  });

  it('takes the token from SANDPROC_TOKEN without printing it, and --strict', async () => {
    const cli = startCli(['--port', '0', '--strict'], { SANDPROC_TOKEN: 'env-token' });
    await pollUntil(() => cli.output().includes('listening on'), 30_000);
    expect(cli.output()).not.toContain('env-token');
    const url = /listening on (http:\/\/\S+)/.exec(cli.output())?.[1] ?? '';
    const health = (await (await fetch(`${url}/health`)).json()) as { compatibility: string };
    expect(health.compatibility).toBe('strict');
    expect((await fetch(`${url}/process`, { headers: { Authorization: 'Bearer env-token' } })).status).toBe(200);
    cli.child.kill('SIGINT');
    expect(await cli.exited).not.toBeNull();
  });

  it('refuses --no-auth on a non-loopback host', async () => {
    const cli = startCli(['--port', '0', '--host', '0.0.0.0', '--no-auth']);
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain('without auth');
  });

  it('rejects unknown flags', async () => {
    const cli = startCli(['--bogus']);
    expect(await cli.exited).toBe(2);
  });
});
