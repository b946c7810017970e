import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxServer } from './create-sandbox-server.js';
import { startTestServer, type TestServer } from './testing/test-server.js';

let sandbox: TestServer;
const ORIGIN = 'http://localhost:5173';
beforeAll(async () => {
  sandbox = await startTestServer({ token: 'secret-token-123', corsOrigins: [ORIGIN] });
});
afterAll(async () => {
  await sandbox.server.close();
});

/** A raw request with a chosen Host header (fetch does not let us set it). */
function rawGet(
  path: string,
  host: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(
      { host: '127.0.0.1', port: sandbox.server.port, path, headers: { Host: host, ...headers } },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      },
    );
    request.on('error', reject);
    request.end();
  });
}

describe('security', () => {
  it('requires the bearer token everywhere but /health', async () => {
    expect((await sandbox.request('GET', '/process', { auth: false })).status).toBe(401);
    expect(
      (await sandbox.request('GET', '/process', { auth: false, headers: { Authorization: 'Bearer wrong' } })).status,
    ).toBe(401);
    expect((await sandbox.request('POST', '/process', { auth: false, body: { command: 'true' } })).status).toBe(401);
    expect(sandbox.server.stats().processes).toBe(0);
    expect((await sandbox.request('GET', '/process')).status).toBe(200);
    const health = await sandbox.request<{ status: string }>('GET', '/health', { auth: false });
    expect(health.status).toBe(200);
    expect(health.json.status).toBe('ok');
  });

  it('refuses a foreign Host header with 403 and accepts loopback names', async () => {
    const auth = { Authorization: 'Bearer secret-token-123' };
    expect((await rawGet('/process', 'evil.example.com', auth)).status).toBe(403);
    expect((await rawGet('/health', 'evil.example.com:80')).status).toBe(403);
    for (const host of ['127.0.0.1', `127.0.0.1:${sandbox.server.port}`, 'localhost:1234', '[::1]:8080', 'LOCALHOST']) {
      expect((await rawGet('/process', host, auth)).status).toBe(200);
    }
  });

  it('answers CORS only for configured origins; preflight needs no token', async () => {
    const preflight = await fetch(`${sandbox.server.url}/process`, {
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('DELETE');
    const actual = await sandbox.request('GET', '/process', { headers: { Origin: ORIGIN } });
    expect(actual.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(actual.headers.get('access-control-expose-headers')).toContain('X-Log-Offset');
    expect(actual.headers.get('access-control-expose-headers')).toContain('Date');
    const foreign = await fetch(`${sandbox.server.url}/process`, {
      method: 'OPTIONS',
      headers: { Origin: 'http://evil.example' },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const foreignGet = await sandbox.request('GET', '/process', { headers: { Origin: 'http://evil.example' } });
    expect(foreignGet.status).toBe(403);
    expect(foreignGet.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a foreign Origin with 403 in every auth mode, and does nothing (cross-site request forgery)', async () => {
    const open = await startTestServer({ auth: false, corsOrigins: [ORIGIN] });
    try {
      for (const server of [open, sandbox]) {
        for (const origin of [
          'http://evil.example',
          'null',
          'http://localhost:5174',
          `http://127.0.0.1:${server.server.port + 1}`,
        ]) {
          const refused = await server.request('POST', '/process', {
            body: { command: 'echo pwned' },
            headers: { Origin: origin },
          });
          expect(refused.status).toBe(403);
          expect(refused.headers.get('content-type')).toContain('application/json');
          expect(refused.json).toEqual({ error: expect.any(String) });
          expect((await server.request('GET', '/process', { headers: { Origin: origin } })).status).toBe(403);
        }
      }
      expect(open.server.stats().processes).toBe(0);
      const ownOrigin = new URL(open.server.url).origin;
      for (const headers of [{}, { Origin: ORIGIN }, { Origin: ownOrigin }] as Array<Record<string, string>>) {
        const accepted = await open.request('POST', '/process', {
          body: { command: 'true', waitForCompletion: true },
          headers,
        });
        expect(accepted.status).toBe(200);
      }
      expect(open.server.stats().processes).toBe(3);
      const viaLocalhost = await rawGet('/process', `localhost:${sandbox.server.port}`, {
        Authorization: 'Bearer secret-token-123',
        Origin: `http://localhost:${sandbox.server.port}`,
      });
      expect(viaLocalhost.status).toBe(200);
    } finally {
      await open.server.close();
    }
  });

  it('never passes the token to child processes, even with inheritEnv', async () => {
    process.env.SANDPROC_TOKEN = 'secret-token-123';
    process.env.SOME_COPY_OF_TOKEN = 'secret-token-123';
    const inheriting = await startTestServer({
      token: 'secret-token-123',
      inheritEnv: true,
      passEnv: ['SANDPROC_TOKEN', 'SOME_COPY_OF_TOKEN'],
    });
    try {
      for (const server of [sandbox, inheriting]) {
        const { json } = await server.exec({ command: 'env', waitForCompletion: true, env: { VISIBLE: 'yes' } });
        expect(json.stdout).toContain('VISIBLE=yes');
        expect(json.stdout).not.toContain('secret-token-123');
        expect(json.stdout).not.toContain('SANDPROC_TOKEN');
      }
    } finally {
      delete process.env.SANDPROC_TOKEN;
      delete process.env.SOME_COPY_OF_TOKEN;
      await inheriting.server.close();
    }
  });

  it('with inheritEnv removes only variables whose value is the token (a short token does not hide unrelated variables)', async () => {
    const shortToken = await startTestServer({ token: 'abc', inheritEnv: true });
    process.env.SANDPROC_TEST_CONTAINS_TOKEN = 'xabcx';
    process.env.SANDPROC_TEST_IS_TOKEN = 'abc';
    process.env.SANDPROC_TOKEN = 'something-else';
    try {
      const { json } = await shortToken.exec({ command: 'env', waitForCompletion: true });
      expect(json.stdout).toContain('SANDPROC_TEST_CONTAINS_TOKEN=xabcx\n');
      expect(json.stdout).toContain(`HOME=${process.env.HOME}\n`);
      expect(json.stdout).not.toContain('SANDPROC_TEST_IS_TOKEN');
      expect(json.stdout).not.toContain('SANDPROC_TOKEN');
    } finally {
      delete process.env.SANDPROC_TEST_CONTAINS_TOKEN;
      delete process.env.SANDPROC_TEST_IS_TOKEN;
      delete process.env.SANDPROC_TOKEN;
      await shortToken.server.close();
    }
  });

  it('refuses auth: false on a non-loopback host, allows it on loopback', async () => {
    await expect(createSandboxServer({ port: 0, host: '0.0.0.0', auth: false })).rejects.toThrow(/auth/);
    const open = await createSandboxServer({ port: 0, auth: false });
    try {
      expect((await fetch(`${open.url}/process`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });

  it('refuses a CORS origin that no browser sends (scheme, host and port only), and says what it should be', async () => {
    for (const [origin, hint] of [
      ['localhost:5173', 'such as http://localhost:5173'],
      ['http://localhost:5173/', 'did you mean http://localhost:5173?'],
      ['http://localhost:5173/app', 'did you mean http://localhost:5173?'],
      ['http://LOCALHOST:5173', 'did you mean http://localhost:5173?'],
      ['https://example.com:443', 'did you mean https://example.com?'],
      ['*', 'such as http://localhost:5173'],
      ['file:///tmp/page.html', 'such as http://localhost:5173'],
    ] as const) {
      const refused = createSandboxServer({ port: 0, corsOrigins: ['http://localhost:3000', origin] });
      await expect(refused).rejects.toThrow(`invalid corsOrigins entry '${origin}'`);
      await expect(refused).rejects.toThrow(hint);
    }
    const accepted = await createSandboxServer({
      port: 0,
      corsOrigins: ['http://localhost:5173', 'https://[::1]:8443'],
    });
    await accepted.close();
  });

  it("answers CORS for an app's or an extension's own origin (tauri://localhost, chrome-extension://<id>)", async () => {
    const origins = ['tauri://localhost', 'chrome-extension://abcdefghijklmnopabcdefghijklmnop'];
    const server = await createSandboxServer({ port: 0, corsOrigins: origins });
    try {
      for (const origin of origins) {
        const answer = await fetch(`${server.url}/process`, {
          headers: { Origin: origin, Authorization: `Bearer ${server.token}` },
        });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('access-control-allow-origin')).toBe(origin);
      }
      const other = await fetch(`${server.url}/process`, {
        headers: { Origin: 'tauri://elsewhere', Authorization: `Bearer ${server.token}` },
      });
      expect(other.status).toBe(403);
    } finally {
      await server.close();
    }
    for (const origin of ['tauri://Localhost', 'tauri://localhost/', 'app:localhost', 'null']) {
      await expect(createSandboxServer({ port: 0, corsOrigins: [origin] })).rejects.toThrow(
        `invalid corsOrigins entry '${origin}'`,
      );
    }
  });

  it('generates a random token when none is given', async () => {
    const generated = await createSandboxServer({ port: 0 });
    try {
      expect(generated.token).toMatch(/^[0-9a-f]{64}$/);
      expect(generated.url).toBe(`http://127.0.0.1:${generated.port}`);
      expect((await fetch(`${generated.url}/process`)).status).toBe(401);
      expect(
        (await fetch(`${generated.url}/process`, { headers: { Authorization: `Bearer ${generated.token}` } })).status,
      ).toBe(200);
    } finally {
      await generated.close();
    }
  });
});
