import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil, startTestServer, type TestServer } from './testing/test-server.js';

const MiB = 1024 * 1024;
let sandbox: TestServer;
beforeAll(async () => {
  sandbox = await startTestServer({ stdinBufferBytes: MiB });
});
afterAll(async () => {
  await sandbox.server.close();
});

/** Sends raw bytes on a new connection and resolves with everything the server sent until it closed. */
function rawExchange(port: number, data: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(data);
  });
}

function parseRawResponse(text: string): { status: number; contentType: string | undefined; body: unknown } {
  const [head = '', body = ''] = text.split('\r\n\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]);
  const contentType = /\r\ncontent-type: ([^\r]+)/i.exec(head)?.[1];
  return { status, contentType, body: JSON.parse(body) as unknown };
}

/** A path no other test creates: a command waits for it to exist before it goes on. */
function gatePath(label: string): string {
  return join(tmpdir(), `sandproc-gate-${label}-${process.pid}-${Math.random().toString(36).slice(2)}`);
}

describe('limits and malformed input', () => {
  it('timeout is capped at 2147483 seconds (the largest a Node timer holds)', async () => {
    for (const timeout of [2_147_484, 2_200_000]) {
      for (const extra of [{ waitForCompletion: true }, { keepAlive: true }]) {
        const before = sandbox.server.stats().processes;
        const refused = await sandbox.exec({ command: 'sleep 30', timeout, ...extra });
        expect(refused.status).toBe(400);
        expect(refused.json).toEqual({ error: expect.stringContaining('2147483') });
        expect(sandbox.server.stats().processes).toBe(before);
      }
    }
    const kept = await sandbox.exec({ command: 'sleep 30', keepAlive: true, timeout: 2_147_483 });
    expect(kept.status).toBe(200);
    const waited = await sandbox.exec({ command: 'true', waitForCompletion: true, timeout: 2_147_483 });
    expect(waited.json.status).toBe('completed');
    expect((await sandbox.get(kept.json.pid)).status).toBe('running');
    await sandbox.request('DELETE', `/process/${kept.json.pid}/kill`);
  });

  it('a stdin write past the unread-bytes cap answers 429 and writes nothing of it', async () => {
    const gate = gatePath('stdin');
    const { json } = await sandbox.exec({ command: `while [ ! -e ${gate} ]; do sleep 0.05; done; wc -c`, stdin: true });
    const chunk = new Uint8Array(256 * 1024).fill(120);
    let accepted = 0;
    let refusal: { status: number; json: unknown } | undefined;
    for (let attempt = 0; attempt < 20 && refusal === undefined; attempt++) {
      const answer = await sandbox.request('POST', `/process/${json.pid}/stdin`, {
        rawBody: chunk,
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      if (answer.status === 200) accepted += chunk.length;
      else refusal = answer;
    }
    expect(refusal?.status).toBe(429);
    expect(refusal?.json).toEqual({ error: 'stdin buffer full: the process is not reading its input' });
    expect(accepted).toBeLessThanOrEqual(MiB);
    writeFileSync(gate, '');
    expect((await sandbox.request('DELETE', `/process/${json.pid}/stdin`)).status).toBe(200);
    const final = await sandbox.waitForStatus(json.pid, (process) => process.status !== 'running');
    expect(final.status).toBe('completed');
    expect(final.stdout.trim()).toBe(String(accepted));
  });

  it('GET /logs answers count against maxStreams until they are sent (a non-reading client holds a slot)', async () => {
    const limited = await startTestServer({
      maxStreams: 1,
      outputMemoryBytes: 64 * MiB,
      totalOutputMemoryBytes: 128 * MiB,
    });
    const sockets: Socket[] = [];
    try {
      const big = await limited.exec({
        command: `yes "$(printf '%01000d' 0)" | head -n 16000`,
        waitForCompletion: true,
      });
      const small = await limited.exec({ command: 'echo small', waitForCompletion: true });
      expect((await limited.request('GET', `/process/${small.json.pid}/logs`)).status).toBe(200);
      const stalled = connect(limited.server.port, '127.0.0.1');
      sockets.push(stalled);
      stalled.on('error', () => undefined);
      stalled.pause();
      stalled.write(
        `GET /process/${big.json.pid}/logs HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${limited.server.token}\r\n\r\n`,
      );
      let refused: { status: number; json: unknown } | undefined;
      await pollUntil(async () => {
        refused = await limited.request('GET', `/process/${small.json.pid}/logs`);
        return refused.status === 429;
      });
      expect(refused?.json).toEqual({ error: expect.any(String) });
      expect((await limited.request('GET', `/process/${small.json.pid}/logs/stream`)).status).toBe(429);
      stalled.destroy();
      await pollUntil(async () => (await limited.request('GET', `/process/${small.json.pid}/logs`)).status === 200);
    } finally {
      for (const socket of sockets) socket.destroy();
      await limited.server.close();
    }
  });

  it('malformed HTTP answers JSON: 400, and 431 for oversized headers', async () => {
    const garbage = parseRawResponse(await rawExchange(sandbox.server.port, 'GARBAGE\r\n\r\n'));
    expect(garbage.status).toBe(400);
    expect(garbage.contentType).toContain('application/json');
    expect(garbage.body).toEqual({ error: expect.any(String) });
    const huge = `GET /process HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: ${'a'.repeat(20_000)}\r\n\r\n`;
    const overflow = parseRawResponse(await rawExchange(sandbox.server.port, huge));
    expect(overflow.status).toBe(431);
    expect(overflow.contentType).toContain('application/json');
    expect(overflow.body).toEqual({ error: expect.any(String) });
  });

  it('inline stdout/stderr/logs hold the last 64 KiB in UTF-8 bytes, never a split character', async () => {
    const { json } = await sandbox.exec({
      command: "yes 'ééééééééé' | head -n 20000; yes 'ü' | head -n 40000 >&2",
      waitForCompletion: true,
    });
    for (const [text, ending] of [
      [json.stdout, 'é\n'],
      [json.stderr, 'ü\n'],
      [json.logs ?? '', 'ü\n'],
    ] as const) {
      const bytes = Buffer.byteLength(text);
      expect(bytes).toBeLessThanOrEqual(64 * 1024);
      expect(bytes).toBeGreaterThan(64 * 1024 - 20);
      expect(text).not.toContain('\uFFFD');
      expect(text.endsWith(ending)).toBe(true);
    }
    const logs = await sandbox.request<{ stdout: string }>('GET', `/process/${json.pid}/logs`);
    expect(logs.json.stdout).toBe('ééééééééé\n'.repeat(20_000));
  });
});
