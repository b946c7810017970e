import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, startTestServer, type TestServer } from './testing/test-server.js';

let sandbox: TestServer;
beforeAll(async () => {
  sandbox = await startTestServer({ maxBodyBytes: 64 * 1024, maxStdinBytes: 1024 * 1024 });
});
afterAll(async () => {
  await sandbox.server.close();
});

function expectJsonError(response: { status: number; headers: Headers; json: unknown }, status: number): void {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toContain('application/json');
  expect(response.json).toEqual({ error: expect.any(String) });
}

describe('bad input answers 4xx and starts nothing', () => {
  const invalidBodies: Array<[string, unknown]> = [
    ['missing command', {}],
    ['empty command', { command: '' }],
    ['blank command', { command: '   ' }],
    ['command of the wrong type', { command: 42 }],
    ['array body', [{ command: 'true' }]],
    ['null body', null],
    ['string body', 'echo hi'],
    ['timeout as a string', { command: 'true', timeout: '5' }],
    ['negative timeout', { command: 'true', timeout: -1 }],
    ['fractional timeout', { command: 'true', timeout: 1.5 }],
    ['env with a number', { command: 'true', env: { A: 1 } }],
    ['env as an array', { command: 'true', env: ['A=1'] }],
    ['waitForPorts with a string', { command: 'true', waitForPorts: ['x'] }],
    ['waitForPorts out of range', { command: 'true', waitForPorts: [70000] }],
    ['waitForPorts not an array', { command: 'true', waitForPorts: 80 }],
    ['waitForCompletion as a string', { command: 'true', waitForCompletion: 'yes' }],
    ['restartOnFailure as a number', { command: 'true', restartOnFailure: 1 }],
    ['maxRestarts as a string', { command: 'true', maxRestarts: '2' }],
    ['keepAlive as a string', { command: 'true', keepAlive: 'true' }],
    ['stdin as a string', { command: 'true', stdin: 'true' }],
    ['name as a number', { command: 'true', name: 7 }],
    ['name that is an integer', { command: 'true', name: '123' }],
    ['name with a slash', { command: 'true', name: 'a/b' }],
    ['workingDir as a number', { command: 'true', workingDir: 1 }],
  ];

  it.each(invalidBodies)('%s → 400', async (_label, body) => {
    const before = sandbox.server.stats().processes;
    const response = await sandbox.request('POST', '/process', {
      rawBody: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
    });
    expectJsonError(response, 400);
    expect(sandbox.server.stats().processes).toBe(before);
  });

  it('invalid JSON → 400', async () => {
    const response = await sandbox.request('POST', '/process', {
      rawBody: '{"command": ',
      headers: { 'Content-Type': 'application/json' },
    });
    expectJsonError(response, 400);
  });

  it('unknown fields are ignored', async () => {
    const response = await sandbox.exec({ command: 'echo ok', waitForCompletion: true, surprise: { nested: true } });
    expect(response.status).toBe(200);
    expect(response.json.stdout).toBe('ok\n');
  });

  it('a missing working directory → 422 and no process', async () => {
    const before = sandbox.server.stats().processes;
    const response = await sandbox.exec({ command: 'pwd', workingDir: '/definitely/not/here' });
    expectJsonError(response, 422);
    expect(sandbox.server.stats().processes).toBe(before);
  });

  it('~ expands to $HOME, in the answer too (as on the real server)', async () => {
    const response = await sandbox.exec({ command: 'pwd', workingDir: '~', waitForCompletion: true });
    expect(response.json.stdout.trim()).toBe(process.env.HOME);
    expect(response.json.workingDir).toBe(process.env.HOME);
  });

  it('exec-stream validation errors come before the stream as JSON', async () => {
    const headers = { 'Content-Type': 'application/json', Accept: 'text/event-stream' };
    expectJsonError(
      await sandbox.request('POST', '/process', { rawBody: JSON.stringify({ command: '' }), headers }),
      400,
    );
    expectJsonError(
      await sandbox.request('POST', '/process', {
        rawBody: JSON.stringify({ command: 'pwd', workingDir: '/nope/nope' }),
        headers,
      }),
      422,
    );
  });

  it('a body over the limit → 413', async () => {
    const response = await sandbox.request('POST', '/process', {
      rawBody: JSON.stringify({ command: 'true', padding: 'x'.repeat(200 * 1024) }),
      headers: { 'Content-Type': 'application/json' },
    });
    expectJsonError(response, 413);
  });

  it('waitForCompletion timeout → 422 and the process keeps running', async () => {
    const response = await sandbox.exec({ command: 'sleep 30', name: 'slow-one', waitForCompletion: true, timeout: 1 });
    expectJsonError(response, 422);
    expect((response.json as unknown as { error: string }).error).toBe('process timed out after 1 seconds');
    expect((await sandbox.get('slow-one')).status).toBe('running');
    await sandbox.request('DELETE', '/process/slow-one/kill');
  });

  it('unknown ids → 404 on every per-process route', async () => {
    for (const [method, path] of [
      ['GET', '/process/nope'],
      ['DELETE', '/process/nope'],
      ['DELETE', '/process/nope/kill'],
      ['GET', '/process/nope/logs'],
      ['GET', '/process/nope/logs/stream'],
      ['POST', '/process/nope/stdin'],
      ['DELETE', '/process/nope/stdin'],
      ['GET', '/process/424242424'],
    ] as const) {
      expectJsonError(await sandbox.request(method, path), 404);
    }
  });

  it('unknown route → 404, wrong method → 405', async () => {
    expectJsonError(await sandbox.request('GET', '/nothing-here'), 404);
    expectJsonError(await sandbox.request('GET', '/process/a/b/c/d'), 404);
    expectJsonError(await sandbox.request('PUT', '/process'), 405);
    expectJsonError(await sandbox.request('PATCH', '/process/x/logs'), 405);
  });

  it('a route of the Blaxel sandbox API that this server does not serve → 404 that says so, in both modes', async () => {
    const strict = await startTestServer({ compatibility: 'strict' });
    try {
      for (const server of [sandbox, strict]) {
        for (const [method, path, family] of [
          ['GET', '/filesystem/tmp', '/filesystem'],
          ['PUT', '/filesystem/tmp/x.txt', '/filesystem'],
          ['GET', '/filesystem-multipart', '/filesystem-multipart'],
          ['GET', '/network/process/1/ports', '/network'],
          ['GET', '/watch/filesystem/tmp', '/watch'],
          ['GET', '/terminal', '/terminal'],
          ['POST', '/codegen/fastapply/x', '/codegen'],
        ] as const) {
          const response = await server.request<{ error: string }>(method, path, method === 'GET' ? {} : { body: {} });
          expectJsonError(response, 404);
          expect(response.json.error).toContain(`${family} routes`);
          expect(response.json.error).toContain('only the process API');
        }
      }
    } finally {
      await strict.server.close();
    }
  });

  it('any other unknown route names the route and what is served', async () => {
    const response = await sandbox.request<{ error: string }>('GET', '/nothing-here');
    expect(response.json.error).toBe(
      'not found: no route GET /nothing-here (this server serves the process API: /process… and /health)',
    );
  });

  it('a bad percent-encoding → 400', async () => {
    expectJsonError(await sandbox.request('GET', '/process/%E0%A4%A'), 400);
  });

  it('stdin to a process without stdin, closed or exited → 409; too large → 413', async () => {
    const noStdin = await sandbox.exec({ command: 'sleep 30' });
    expectJsonError(await sandbox.request('POST', `/process/${noStdin.json.pid}/stdin`, { rawBody: 'x' }), 409);
    await sandbox.request('DELETE', `/process/${noStdin.json.pid}/kill`);

    const withStdin = await sandbox.exec({ command: 'cat; sleep 30', stdin: true });
    expectJsonError(
      await sandbox.request('POST', `/process/${withStdin.json.pid}/stdin`, {
        rawBody: new Uint8Array(1024 * 1024 + 1),
      }),
      413,
    );
    await sandbox.request('DELETE', `/process/${withStdin.json.pid}/stdin`);
    expectJsonError(await sandbox.request('POST', `/process/${withStdin.json.pid}/stdin`, { rawBody: 'x' }), 409);
    await sandbox.request('DELETE', `/process/${withStdin.json.pid}/kill`);

    const exited = await sandbox.exec({ command: 'true', stdin: true, waitForCompletion: true });
    expectJsonError(await sandbox.request('POST', `/process/${exited.json.pid}/stdin`, { rawBody: 'x' }), 409);
  });

  it('kill with an unknown signal or bad body → 400', async () => {
    const { json } = await sandbox.exec({ command: 'sleep 30' });
    expectJsonError(await sandbox.request('DELETE', `/process/${json.pid}/kill`, { body: { signal: 'SIGNOPE' } }), 400);
    expectJsonError(await sandbox.request('DELETE', `/process/${json.pid}/kill`, { body: { signal: 9 } }), 400);
    expectJsonError(await sandbox.request('DELETE', `/process/${json.pid}/kill`, { rawBody: '{oops' }), 400);
    expect((await sandbox.get(json.pid)).status).toBe('running');
    expect((await sandbox.request('DELETE', `/process/${json.pid}/kill`)).status).toBe(200);
  });

  it('since must be a non-negative integer', async () => {
    const { json } = await sandbox.exec({ command: 'true', waitForCompletion: true });
    expectJsonError(await sandbox.request('GET', `/process/${json.pid}/logs/stream?since=-1`), 400);
    expectJsonError(await sandbox.request('GET', `/process/${json.pid}/logs/stream?since=abc`), 400);
  });

  it('a client that disconnects mid-wait or mid-stream disturbs nothing', async () => {
    const waiting = new AbortController();
    const pending = fetch(`${sandbox.server.url}/process`, {
      method: 'POST',
      signal: waiting.signal,
      headers: { ...sandbox.authHeaders(), 'Content-Type': 'application/json' },
      body: JSON.stringify({ command: 'sleep 2; echo done', name: 'abandoned-wait', waitForCompletion: true }),
    }).catch((error: unknown) => error);
    await pollUntil(async () => (await sandbox.request('GET', '/process/abandoned-wait')).status === 200);
    waiting.abort();
    await pending;

    const streaming = new AbortController();
    const stream = await fetch(`${sandbox.server.url}/process/abandoned-wait/logs/stream`, {
      headers: sandbox.authHeaders(),
      signal: streaming.signal,
    });
    expect(stream.status).toBe(200);
    streaming.abort();

    const ndjson = new AbortController();
    const execStream = await fetch(`${sandbox.server.url}/process`, {
      method: 'POST',
      signal: ndjson.signal,
      headers: { ...sandbox.authHeaders(), 'Content-Type': 'application/json', Accept: 'text/event-stream' },
      body: JSON.stringify({ command: 'sleep 1; echo fine', name: 'abandoned-stream', waitForCompletion: true }),
    });
    expect(execStream.status).toBe(200);
    ndjson.abort();

    const first = await sandbox.waitForStatus('abandoned-wait', (process) => process.status !== 'running');
    expect(first.status).toBe('completed');
    expect(first.stdout).toBe('done\n');
    const second = await sandbox.waitForStatus('abandoned-stream', (process) => process.status !== 'running');
    expect(second.status).toBe('completed');
    expect((await sandbox.request('GET', '/health')).status).toBe(200);
  });
});
