/**
 * The edge function in real workerd (miniflare), against a real local sandbox server.
 * The worker is bundled here with esbuild exactly as `pnpm build` does (see build-worker.ts).
 */
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type SandprocClient } from '@sandproc/core';
import { createSandboxServer } from '@sandproc/server';
import { Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleWorker } from '../scripts/build-worker.js';

type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

let server: Awaited<ReturnType<typeof createSandboxServer>>;
let miniflare: Miniflare;
let scratch: string;
let edge: Fetch;
let edgeShortWait: Fetch;
/** Reads process states on the local server directly (not through the worker). */
let sandbox: SandprocClient;
let edgeWithBadToken: Fetch;
let edgeUnconfigured: Fetch;
let edgeBlaxel: Fetch;
/** A stand-in for a Blaxel sandbox: records each request's headers, refuses them all with 401. */
let blaxelStandIn: Server;
const blaxelRequests: { method?: string; url?: string; headers: IncomingHttpHeaders }[] = [];

const COMPATIBILITY_DATE = '2025-06-01';
const COMPATIBILITY_FLAGS = ['enable_request_signal'];

beforeAll(async () => {
  server = await createSandboxServer({ port: 0 });
  scratch = await mkdtemp(join(tmpdir(), 'sandproc-edge-'));
  blaxelStandIn = createServer((request, response) => {
    blaxelRequests.push({ method: request.method, url: request.url, headers: request.headers });
    request.resume();
    response.writeHead(401, { 'Content-Type': 'application/json' }).end('{"error":"invalid api key"}');
  });
  await new Promise<void>((resolve) => blaxelStandIn.listen(0, '127.0.0.1', resolve));
  const blaxelUrl = `http://127.0.0.1:${(blaxelStandIn.address() as AddressInfo).port}/ws/sandboxes/box`;
  const script = await bundleWorker();
  const worker = (name: string, bindings: Record<string, string>) => ({
    name,
    modules: true,
    script,
    compatibilityDate: COMPATIBILITY_DATE,
    // request.signal aborts when the client disconnects (the streamed mode then kills the process).
    compatibilityFlags: COMPATIBILITY_FLAGS,
    bindings,
  });
  miniflare = new Miniflare({
    workers: [
      worker('edge', { SANDBOX_URL: server.url, SANDBOX_TOKEN: server.token }),
      worker('edge-short-wait', {
        SANDBOX_URL: server.url,
        SANDBOX_TOKEN: server.token,
        MAX_WAIT_MS: '1000',
        KEEPALIVE_INTERVAL_MS: '200',
      }),
      worker('edge-bad-token', { SANDBOX_URL: server.url, SANDBOX_TOKEN: 'not-the-token' }),
      worker('edge-unconfigured', {}),
      worker('edge-blaxel', { SANDBOX_URL: blaxelUrl, BL_WORKSPACE: 'my-workspace', BL_API_KEY: 'bl-secret-key' }),
    ],
  });
  await miniflare.ready;
  const fetcherOf = async (name: string): Promise<Fetch> => {
    // miniflare types its Fetcher with the Workers types, which this package does not install.
    const fetcher = (await miniflare.getWorker(name)) as unknown as { fetch: Fetch };
    return (url, init) => fetcher.fetch(url, init);
  };
  edge = (url, init) => miniflare.dispatchFetch(url, init as never) as unknown as Promise<Response>;
  edgeShortWait = await fetcherOf('edge-short-wait');
  sandbox = createClient({ baseUrl: server.url, token: server.token });
  edgeWithBadToken = await fetcherOf('edge-bad-token');
  edgeUnconfigured = await fetcherOf('edge-unconfigured');
  edgeBlaxel = await fetcherOf('edge-blaxel');
}, 60_000);

afterAll(async () => {
  await miniflare?.dispose();
  await server?.close();
  blaxelStandIn?.closeAllConnections();
  await new Promise((resolve) => (blaxelStandIn ? blaxelStandIn.close(resolve) : resolve(undefined)));
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function post(
  body: unknown,
  options: { query?: string; headers?: Record<string, string> } = {},
): [string, RequestInit] {
  return [
    `http://edge.test/run${options.query ?? ''}`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...options.headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    },
  ];
}

/** Reads an NDJSON body one parsed line at a time. */
function ndjsonReader(response: Response): {
  next(): Promise<unknown | undefined>;
  rest(): Promise<unknown[]>;
  cancel(): Promise<void>;
} {
  if (!response.body) throw new Error('no response body');
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const next = async (): Promise<unknown | undefined> => {
    for (;;) {
      const newline = buffer.indexOf('\n');
      if (newline !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.trim() === '') continue;
        const parsed = JSON.parse(line) as { type?: unknown };
        // Keepalive lines only keep the connection busy: the tests read the others.
        if (parsed.type === 'keepalive') continue;
        return parsed;
      }
      const chunk = await reader.read();
      if (chunk.done) {
        if (buffer.trim() !== '') throw new Error(`unterminated NDJSON line: ${buffer}`);
        return undefined;
      }
      buffer += chunk.value;
    }
  };
  const rest = async (): Promise<unknown[]> => {
    const lines: unknown[] = [];
    for (let line = await next(); line !== undefined; line = await next()) lines.push(line);
    return lines;
  };
  return { next, rest, cancel: () => reader.cancel() };
}

function chunkedPost(body: ReadableStream<Uint8Array>): [string, RequestInit] {
  return [
    'http://edge.test/run',
    { method: 'POST', headers: { 'Content-Type': 'application/json' }, body, duplex: 'half' } as RequestInit,
  ];
}

describe('apps/edge worker in workerd', () => {
  it('runs echo and answers its output and exit code as JSON', async () => {
    const response = await edge(...post({ command: "echo 'Hello from the edge'" }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'completed',
      exitCode: 0,
      stdout: 'Hello from the edge\n',
      stderr: '',
      logs: 'Hello from the edge\n',
    });
    expect(body.pid).toMatch(/^\d+$/);
    expect(body.name).toMatch(/^proc-[a-z0-9]{8}$/);
  });

  it('answers a failing command with its stderr and exit code (not an HTTP error)', async () => {
    const response = await edge(...post({ command: 'echo out; echo oops >&2; exit 7' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'failed', exitCode: 7, stdout: 'out\n', stderr: 'oops\n' });
  });

  it('streams the lines in order, then the exit (?stream=1)', async () => {
    const command =
      'i=1; while [ $i -le 30 ]; do echo line-$i; if [ $((i % 10)) -eq 0 ]; then echo tick-$i >&2; fi; i=$((i + 1)); done; exit 3';
    const response = await edge(...post({ command }, { query: '?stream=1' }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = await ndjsonReader(response).rest();
    const exit = lines.at(-1);
    const records = lines.slice(0, -1) as { stream: string; text: string; index: number }[];
    expect(exit).toEqual({ type: 'exit', pid: response.headers.get('x-sandbox-pid'), status: 'failed', exitCode: 3 });
    expect(records.filter((record) => record.stream === 'stdout').map((record) => record.text)).toEqual(
      Array.from({ length: 30 }, (_, i) => `line-${i + 1}`),
    );
    expect(records.filter((record) => record.stream === 'stderr').map((record) => record.text)).toEqual([
      'tick-10',
      'tick-20',
      'tick-30',
    ]);
    expect(records.map((record) => record.index)).toEqual(records.map((_, i) => i));
  });

  it('delivers each line as it arrives, before the command ends (Accept: application/x-ndjson)', async () => {
    const marker = join(scratch, 'release-second-line');
    // The command prints its second line only once the test has seen the first one; if the first
    // line were held back until the end, the command would give up (after 30 s) and exit 1 silently.
    const command =
      `echo first; i=0; while [ ! -e '${marker}' ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done; ` +
      `[ -e '${marker}' ] && echo second`;
    const response = await edge(...post({ command }, { headers: { Accept: 'application/x-ndjson' } }));
    expect(response.status).toBe(200);
    const reader = ndjsonReader(response);
    expect(await reader.next()).toEqual({ stream: 'stdout', text: 'first', index: 0 });
    expect(existsSync(marker)).toBe(false);
    await writeFile(marker, '');
    expect(await reader.rest()).toEqual([
      { stream: 'stdout', text: 'second', index: 1 },
      { type: 'exit', pid: response.headers.get('x-sandbox-pid'), status: 'completed', exitCode: 0 },
    ]);
  });

  it.each([
    ['invalid JSON', '{"command": '],
    ['a JSON array', '["echo hi"]'],
    ['a missing command', { name: 'x' }],
    ['an empty command', { command: '   ' }],
    ['a non-string command', { command: 42 }],
  ])('answers 400 with a JSON error for %s', async (_label, body) => {
    const response = await edge(...post(body));
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/json');
    const answer = (await response.json()) as { error?: unknown };
    expect(typeof answer.error).toBe('string');
  });

  it('answers 413 to a body over 64 KiB with a Content-Length', async () => {
    const response = await edge(...post({ command: `echo ${'x'.repeat(70 * 1024)}` }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toContain('65536 bytes');
  });

  it('counts the limit in bytes: a multibyte body under 64 Ki characters but over 64 KiB is refused', async () => {
    // 40,000 × "é": 40,000 UTF-16 code units, 80,000 UTF-8 bytes.
    const command = `echo ${'é'.repeat(40_000)}`;
    const declared = await edge(...post({ command }));
    expect(declared.status).toBe(413);
    const bytes = new TextEncoder().encode(JSON.stringify({ command }));
    const chunked = await edge(
      ...chunkedPost(
        new ReadableStream({
          start(controller) {
            for (let offset = 0; offset < bytes.length; offset += 7_001)
              controller.enqueue(bytes.slice(offset, offset + 7_001));
            controller.close();
          },
        }),
      ),
    );
    expect(chunked.status).toBe(413);
    expect(await chunked.json()).toHaveProperty('error');
  });

  it('decodes a multibyte body split across chunks', async () => {
    // Chunks of 3 bytes cut the 2-byte "é" and the 4-byte emoji in the middle.
    const bytes = new TextEncoder().encode(JSON.stringify({ command: "echo 'héllo wörld 🚀'" }));
    const response = await edge(
      ...chunkedPost(
        new ReadableStream({
          start(controller) {
            for (let offset = 0; offset < bytes.length; offset += 3)
              controller.enqueue(bytes.slice(offset, offset + 3));
            controller.close();
          },
        }),
      ),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'completed', stdout: 'héllo wörld 🚀\n' });
  });

  it('stops reading a chunked body without Content-Length once it passes 64 KiB', async () => {
    // 128 KiB sent in chunks, then the body stays open and never ends: a worker that read the
    // whole body before checking its size would never answer.
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let sent = 0; sent < 128 * 1024; sent += 16 * 1024)
          controller.enqueue(new Uint8Array(16 * 1024).fill(0x20));
      },
      cancel() {
        cancelled = true;
      },
    });
    const response = await edge(...chunkedPost(body));
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(((await response.json()) as { error: string }).error).toContain('65536 bytes');
    void cancelled;
  });

  it('kills the command when the JSON mode gives up waiting (504)', async () => {
    const response = await edgeShortWait(...post({ command: 'echo started; sleep 300' }));
    expect(response.status).toBe(504);
    const answer = (await response.json()) as { error: string; pid: string };
    expect(answer.error).toContain('killed');
    expect(answer.pid).toMatch(/^\d+$/);
    const finished = await sandbox.process.wait(answer.pid, { maxWaitMs: 20_000 });
    expect(finished.status).toBe('killed');
  });

  it('kills the command when the streaming client cancels before the end', async () => {
    // Keepalive lines every 200 ms: the worker notices the client is gone at the next write.
    const response = await edgeShortWait(...post({ command: 'echo started; sleep 300' }, { query: '?stream=1' }));
    expect(response.status).toBe(200);
    const pid = response.headers.get('x-sandbox-pid');
    expect(pid).toMatch(/^\d+$/);
    const reader = ndjsonReader(response);
    expect(await reader.next()).toEqual({ stream: 'stdout', text: 'started', index: 0 });
    expect((await sandbox.process.get(pid!)).status).toBe('running');
    await reader.cancel();
    const finished = await sandbox.process.wait(pid!, { maxWaitMs: 20_000 });
    expect(finished.status).toBe('killed');
  });

  it('answers 405 to anything but POST', async () => {
    const response = await edge('http://edge.test/run');
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await response.json()).toHaveProperty('error');
  });

  it('answers 502 with a clear JSON error when the sandbox refuses the request', async () => {
    const response = await edgeWithBadToken(...post({ command: 'echo never' }));
    expect(response.status).toBe(502);
    const answer = (await response.json()) as { error: string; kind?: string; status?: number };
    expect(answer.error).toMatch(/^sandbox request failed: /);
    expect(answer.status).toBe(401);
    expect(answer.error).not.toContain('not-the-token');
  });

  it('answers 502 when the sandbox is unreachable', async () => {
    const closed = await createSandboxServer({ port: 0 });
    const url = closed.url;
    await closed.close();
    const unreachable = new Miniflare({
      modules: true,
      script: await bundleWorker(),
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { SANDBOX_URL: url, SANDBOX_TOKEN: 'x' },
    });
    try {
      const response = await unreachable.dispatchFetch(...(post({ command: 'echo never' }) as [string, never]));
      expect(response.status).toBe(502);
      expect(((await response.json()) as { error: string }).error).toMatch(/^sandbox request failed: /);
    } finally {
      await unreachable.dispose();
    }
  });

  it('answers 500 naming the binding when SANDBOX_URL is not set', async () => {
    const response = await edgeUnconfigured(...post({ command: 'echo never' }));
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: string }).error).toContain('SANDBOX_URL');
  });

  it('talks to a Blaxel sandbox with the Blaxel headers when BL_WORKSPACE/BL_API_KEY are bound', async () => {
    const response = await edgeBlaxel(...post({ command: 'echo hi' }));
    expect(response.status).toBe(502);
    const answer = (await response.json()) as { error: string; status?: number };
    expect(answer.status).toBe(401);
    expect(answer.error).not.toContain('bl-secret-key');
    const exec = blaxelRequests.find((request) => request.method === 'POST');
    expect(exec?.url).toBe('/ws/sandboxes/box/process');
    expect(exec?.headers['x-blaxel-authorization']).toBe('Bearer bl-secret-key');
    expect(exec?.headers['x-blaxel-workspace']).toBe('my-workspace');
    expect(exec?.headers.authorization).toBeUndefined();
  });
});
