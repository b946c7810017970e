import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/test-server.js';

const started: TestServer[] = [];
afterEach(async () => {
  for (const test of started.splice(0)) await test.server.close();
});

/** A request with a Host header of our choosing (fetch does not let one set it). */
function requestWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(`${url}/health`, { headers: { Host: host } }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('refused requests are reported with the fix', () => {
  it('reports a refused origin once, with the --cors-origin that would allow it', async () => {
    const messages: string[] = [];
    const test = await startTestServer({
      corsOrigins: ['http://allowed.example'],
      onRequestRefused: (message) => messages.push(message),
    });
    started.push(test);
    for (let attempt = 0; attempt < 2; attempt++) {
      const refused = await test.request('GET', '/process', { headers: { Origin: 'http://localhost:5173' } });
      expect(refused.status).toBe(403);
    }
    expect(messages).toEqual([
      'refused a request from origin http://localhost:5173 (403 forbidden origin): to let pages of that origin call this server, ' +
        'start it with --cors-origin http://localhost:5173 (option corsOrigins), or call it through a same-origin proxy',
    ]);
    // An allowed origin and a request without Origin are not reported.
    expect((await test.request('GET', '/process', { headers: { Origin: 'http://allowed.example' } })).status).toBe(200);
    expect((await test.request('GET', '/process')).status).toBe(200);
    expect(messages).toHaveLength(1);
  });

  it('reports a refused Host (DNS rebinding) once per host', async () => {
    const messages: string[] = [];
    const test = await startTestServer({ onRequestRefused: (message) => messages.push(message) });
    started.push(test);
    expect(await requestWithHost(test.server.url, 'rebound.example:8080')).toBe(403);
    expect(await requestWithHost(test.server.url, 'rebound.example:8080')).toBe(403);
    expect(await requestWithHost(test.server.url, 'other.example')).toBe(403);
    expect(await requestWithHost(test.server.url, 'localhost')).toBe(200);
    expect(messages).toHaveLength(2);
    expect(messages[0]).toContain('refused a request for Host rebound.example:8080 (403 forbidden host');
    expect(messages[0]).toContain('127.0.0.1 or localhost');
    expect(messages[1]).toContain('Host other.example');
  });

  it('keeps control characters of a header out of the log line, and a throwing reporter away from the answer', async () => {
    const messages: string[] = [];
    const test = await startTestServer({
      onRequestRefused: (message) => {
        messages.push(message);
        throw new Error('reporter failed');
      },
    });
    started.push(test);
    const refused = await test.request('GET', '/process', { headers: { Origin: 'http://é.example' } });
    expect(refused.status).toBe(403);
    expect(messages[0]).toContain('origin http://?');
    expect(messages[0]).not.toMatch(/[^\x20-\x7e]/);
  });
});
