/**
 * examples/cloudflare-worker, installed from the packed packages and type-checked, bundled as
 * wrangler bundles it (esbuild, workerd conditions) and run in workerd (miniflare) with its
 * wrangler.toml settings, against a local server. wrangler itself is left out of the install: the
 * workspace's esbuild and miniflare stand in for it (the same engines, without a second workerd).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@sandproc/core';
import { createSandboxServer, type SandboxServer } from '@sandproc/server';
import { build } from 'esbuild';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { installExample, type ExampleProject } from './example-project.js';

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

describe('examples/cloudflare-worker', () => {
  let project: ExampleProject;
  let sandbox: SandboxServer;
  let miniflare: Miniflare;
  let worker: Fetch;
  let workerWithWrongToken: Fetch;

  beforeAll(async () => {
    project = await installExample('cloudflare-worker', inject('tarballs'), { leaveOut: ['wrangler'] });
    sandbox = await createSandboxServer({ port: 0 });
    const config = readFileSync(join(project.directory, 'wrangler.toml'), 'utf8');
    const main = /^main = "(.+)"$/m.exec(config)?.[1];
    const compatibilityDate = /^compatibility_date = "(.+)"$/m.exec(config)?.[1];
    const compatibilityFlags = JSON.parse(/^compatibility_flags = (\[.*\])$/m.exec(config)?.[1] ?? '[]') as string[];
    expect(main && compatibilityDate).toBeTruthy();
    const bundle = await build({
      entryPoints: [join(project.directory, main!)],
      absWorkingDir: project.directory,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'neutral',
      mainFields: ['module', 'main'],
      conditions: ['workerd', 'worker', 'browser'],
      target: 'es2022',
      logLevel: 'silent',
    });
    const script = bundle.outputFiles[0]!.text;
    const workerOptions = (name: string, token: string) => ({
      name,
      modules: true,
      script,
      compatibilityDate,
      compatibilityFlags,
      bindings: { SANDBOX_URL: sandbox.url, SANDBOX_TOKEN: token },
    });
    miniflare = new Miniflare({
      workers: [workerOptions('example', sandbox.token), workerOptions('wrong-token', 'not-the-token')],
    });
    await miniflare.ready;
    const fetcherOf = async (name: string): Promise<Fetch> => {
      // miniflare types its Fetcher with the Workers types, which this package does not install.
      const fetcher = (await miniflare.getWorker(name)) as unknown as { fetch: Fetch };
      return (url, init) => fetcher.fetch(url, init);
    };
    worker = await fetcherOf('example');
    workerWithWrongToken = await fetcherOf('wrong-token');
  });

  afterAll(async () => {
    await miniflare?.dispose();
    await sandbox?.close();
    project?.remove();
  });

  it('type-checks (strict)', async () => {
    await project.run('npm', ['run', 'typecheck']);
  });

  it('streams the output while the command runs, then its exit', async () => {
    const response = await worker('http://worker/', {
      method: 'POST',
      body: JSON.stringify({ command: 'echo first; echo oops >&2; sleep 600; echo never' }),
    });
    expect(response.status).toBe(200);
    const pid = response.headers.get('x-sandbox-pid');
    expect(pid).toBeTruthy();
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let received = '';
    while (!(received.includes('stdout: first\n') && received.includes('stderr: oops\n'))) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value;
    }
    // Two pipes: the order between stdout and stderr is the order the server read them in.
    expect(received.split('\n').sort()).toEqual(['', 'stderr: oops', 'stdout: first']);
    // Live: the command is still running (it sleeps).
    const sandboxClient = createClient({ baseUrl: sandbox.url, token: sandbox.token });
    expect((await sandboxClient.process.get(pid!)).status).toBe('running');
    await sandboxClient.process.kill(pid!);
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) received += chunk.value;
    expect(received).toMatch(/^(stdout: first\nstderr: oops|stderr: oops\nstdout: first)\nexit -1 \(killed\)\n$/);
  });

  it('answers 400 without a command, 405 to a GET', async () => {
    const missing = await worker('http://worker/', { method: 'POST', body: '{}' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: '"command" must be a non-empty string' });
    expect((await worker('http://worker/')).status).toBe(405);
  });

  it('answers 502 with the kind of error when the sandbox refuses its token', async () => {
    const refused = await workerWithWrongToken('http://worker/', {
      method: 'POST',
      body: JSON.stringify({ command: 'echo hi' }),
    });
    expect(refused.status).toBe(502);
    expect(await refused.json()).toEqual({ error: 'the sandbox did not start the command (unauthorized)' });
  });
});
