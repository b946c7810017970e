/** The `/sandbox` proxy against a real sandbox server, over real sockets. */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandboxServer, type SandboxServer } from '@sandproc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxProxyMiddleware } from '../scripts/sandbox-proxy.js';

let sandbox: SandboxServer;
let proxyServer: http.Server;
let base: string;

beforeAll(async () => {
  sandbox = await createSandboxServer({ port: 0 });
  const middleware = createSandboxProxyMiddleware({ target: sandbox.url, token: sandbox.token });
  proxyServer = http.createServer((request, response) =>
    middleware(request, response, () => {
      response.statusCode = 404;
      response.end('not proxied');
    }),
  );
  await new Promise<void>((resolve) => proxyServer.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(proxyServer.address() as AddressInfo).port}`;
});

afterAll(async () => {
  proxyServer?.closeAllConnections();
  await new Promise((resolve) => proxyServer?.close(resolve));
  await sandbox?.close();
});

describe('sandbox proxy', () => {
  it('adds the token server-side: the browser needs none', async () => {
    const direct = await fetch(`${sandbox.url}/process`);
    expect(direct.status).toBe(401);
    const proxied = await fetch(`${base}/sandbox/process`);
    expect(proxied.status).toBe(200);
    expect(Array.isArray(await proxied.json())).toBe(true);
  });

  it('replaces any token the caller sends', async () => {
    const response = await fetch(`${base}/sandbox/process`, { headers: { authorization: 'Bearer wrong' } });
    expect(response.status).toBe(200);
  });

  it('leaves other paths alone', async () => {
    const response = await fetch(`${base}/sandboxes`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('not proxied');
  });

  it('refuses requests from other origins, cross-site fetches and foreign Host headers', async () => {
    const crossOrigin = await fetch(`${base}/sandbox/process`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'text/plain' },
      body: JSON.stringify({ command: 'echo pwned' }),
    });
    expect(crossOrigin.status).toBe(403);
    const crossSite = await fetch(`${base}/sandbox/process`, { headers: { 'sec-fetch-site': 'cross-site' } });
    expect(crossSite.status).toBe(403);
    const rebinding = await new Promise<number>((resolve, reject) => {
      const request = http.get(`${base}/sandbox/process`, { headers: { host: 'evil.example' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on('error', reject);
    });
    expect(rebinding).toBe(403);
    expect(sandbox.stats().processes).toBe(0);
    const sameOrigin = await fetch(`${base}/sandbox/process`, {
      headers: { origin: base, 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.status).toBe(200);
  });

  it('streams logs as they are written, not when the process ends', async () => {
    const started = await fetch(`${base}/sandbox/process`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'echo first; sleep 30; echo last' }),
    });
    const { pid } = (await started.json()) as { pid: string };
    const stream = await fetch(`${base}/sandbox/process/${pid}/logs/stream`);
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    while (!text.includes('stdout:first\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    expect(text).toContain('stdout:first\n');
    const status = (await (await fetch(`${base}/sandbox/process/${pid}`)).json()) as { status: string };
    expect(status.status).toBe('running');
    await reader.cancel();
    await fetch(`${base}/sandbox/process/${pid}/kill`, { method: 'DELETE' });
  });

  it('answers 502 JSON when the sandbox is not reachable', async () => {
    const closed = await createSandboxServer({ port: 0 });
    const url = closed.url;
    await closed.close();
    const middleware = createSandboxProxyMiddleware({ target: url, token: 'x' });
    const server = http.createServer((request, response) => middleware(request, response, () => response.end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/sandbox/process`);
      expect(response.status).toBe(502);
      expect(response.headers.get('x-sandproc-proxy')).toBe('unreachable');
      expect(((await response.json()) as { error: string }).error).toMatch(/not reachable/);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
