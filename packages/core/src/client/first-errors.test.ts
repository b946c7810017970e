import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort as closedPort } from '../../test/helpers/reference-sandbox.js';
import { startSandbox, type Sandbox } from '../../test/helpers/sandbox.js';
import {
  ExecOutcomeUnknownError,
  InvalidArgumentError,
  NetworkError,
  createBlaxelClient,
  createClient,
  waitForLog,
} from '../index.js';

describe('the first error a user sees', () => {
  it('server not running: exec is a NetworkError naming the URL and saying nothing was started', async () => {
    const baseUrl = `http://127.0.0.1:${await closedPort()}`;
    const client = createClient({ baseUrl, retry: { initialDelayMs: 10 } });
    const error = await client.process
      .exec({ command: 'echo hi', waitForCompletion: true })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error).not.toBeInstanceOf(ExecOutcomeUnknownError);
    expect((error as Error).message).toContain(`${baseUrl}/process`);
    expect((error as Error).message).toMatch(/connection refused, nothing was sent or started/);
    const read = await client.process.get('web').catch((caught: unknown) => caught);
    expect(read).toBeInstanceOf(NetworkError);
    expect((read as Error).message).toContain(`${baseUrl}/process/web: connection refused`);
  });

  it('in a browser page, a bare failed fetch names the URL, the page origin and the two likely causes', async () => {
    const page = globalThis as { document?: unknown; location?: unknown };
    page.document = {};
    page.location = { origin: 'http://localhost:5173' };
    try {
      const client = createClient({
        baseUrl: 'http://127.0.0.1:8080',
        retry: false,
        fetch: async () => {
          throw new TypeError('Failed to fetch');
        },
      });
      const read = await client.process.list().catch((caught: unknown) => caught);
      expect(read).toBeInstanceOf(NetworkError);
      const message = (read as Error).message;
      expect(message).toContain('http://127.0.0.1:8080/process');
      expect(message).toContain('from http://localhost:5173');
      expect(message).toMatch(
        /the server is down, or does not allow this origin \(CORS, e\.g\. --cors-origin http:\/\/localhost:5173\)/,
      );
      // exec cannot know whether the request got through, and says so with the same explanation.
      const started = await client.process.exec({ command: 'true' }).catch((caught: unknown) => caught);
      expect(started).toBeInstanceOf(ExecOutcomeUnknownError);
      expect((started as Error).message).toMatch(
        /may have started: http:\/\/127\.0\.0\.1:8080\/process is unreachable from http:\/\/localhost:5173/,
      );
    } finally {
      delete page.document;
      delete page.location;
    }
  });
});

describe('createClient checks its options at creation', () => {
  const attempt = (options: unknown) => {
    try {
      createClient(options as Parameters<typeof createClient>[0]);
    } catch (error) {
      return error as Error;
    }
    return undefined;
  };

  it.each([
    [undefined, /options must be an object such as \{ baseUrl: "http:\/\/127\.0\.0\.1:8080" \}, got undefined/],
    [{}, /baseUrl must be an http:\/\/ or https:\/\/ URL such as http:\/\/127\.0\.0\.1:8080, got undefined/],
    [{ baseUrl: 'localhost:8080' }, /baseUrl must be an http:\/\/ or https:\/\/ URL .*, got "localhost:8080"/],
    [{ baseUrl: 'http://127.0.0.1:8080', token: 42 }, /token must be a string, got 42$/],
    [{ baseUrl: 'http://127.0.0.1:8080', fetch: 'fetch' }, /fetch must be a function/],
    [{ baseUrl: 'http://127.0.0.1:8080', retry: { limit: -1 } }, /retry\.limit must be a number ≥ 0, got -1$/],
    [
      { baseUrl: 'http://127.0.0.1:8080', retry: { maxDelayMs: Number.NaN } },
      /retry\.maxDelayMs must be a number ≥ 0, got NaN$/,
    ],
    [{ baseUrl: 'http://127.0.0.1:8080', retry: 3 }, /retry must be false or \{ limit, initialDelayMs, maxDelayMs \}/],
    [
      { baseUrl: 'http://127.0.0.1:8080', requestTimeoutMs: 0 },
      /requestTimeoutMs must be a number of milliseconds > 0, got 0$/,
    ],
    [{ baseUrl: 'http://127.0.0.1:8080', requestTimeoutMs: '5000' }, /requestTimeoutMs .* got "5000"/],
  ])('%j → a TypeError that says what is wrong', (options, message) => {
    const error = attempt(options);
    expect(error).toBeInstanceOf(TypeError);
    expect(error?.message).toMatch(message);
  });

  it('valid options pass, and createBlaxelClient without options says what it needs', () => {
    expect(
      attempt({ baseUrl: 'https://run.blaxel.ai/w/sandboxes/s', retry: false, requestTimeoutMs: 1000 }),
    ).toBeUndefined();
    expect(() => createBlaxelClient(undefined as never)).toThrow(TypeError);
    expect(() => createBlaxelClient({} as never)).toThrow(/workspace/);
    expect(() => createBlaxelClient({ workspace: 'w', apiKey: 'k' } as never)).toThrow(/sandbox/);
    expect(
      createBlaxelClient({ workspace: 'w', apiKey: 'k', sandbox: '', url: 'https://sandbox.example' }).baseUrl,
    ).toBe('https://sandbox.example');
  });

  it('createBlaxelClient with a preview token names what is missing (not baseUrl, never a header "undefined")', () => {
    expect(() => createBlaxelClient({ previewToken: 'p' } as never)).toThrow(
      /createBlaxelClient needs url \(the sandbox's URL, a string\) with previewToken, got undefined/,
    );
    expect(() => createBlaxelClient({ url: 'https://sandbox.example', previewToken: undefined } as never)).toThrow(
      /createBlaxelClient needs previewToken \(a string\), got undefined/,
    );
  });
});

describe('ids the URL cannot carry', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox('extended');
  });
  afterAll(() => sandbox.close());

  it('an id with a lone surrogate is an InvalidArgumentError, before any request', async () => {
    let requests = 0;
    const client = sandbox.clientFor(sandbox.url, {
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    for (const id of ['\uD800', 'a\uDC00b']) {
      await expect(client.process.get(id)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(client.process.stop(id)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(client.process.wait(id)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(client.process.streamLogs(id).done).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(requests).toBe(0);
  });

  it('wait and waitForLog refuse a maxWaitMs or intervalMs that is not a number ≥ 0 (NaN waited forever), before any request', async () => {
    let requests = 0;
    const client = sandbox.clientFor(sandbox.url, {
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    for (const [options, argument] of [
      [{ maxWaitMs: Number.NaN }, 'maxWaitMs'],
      [{ maxWaitMs: -1 }, 'maxWaitMs'],
      [{ intervalMs: Number.NaN }, 'intervalMs'],
      [{ intervalMs: -5 }, 'intervalMs'],
    ] as const) {
      const refused = await client.process.wait('1', options).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(InvalidArgumentError);
      expect(refused).toMatchObject({ argument });
      expect((refused as Error).message).toMatch(new RegExp(`^${argument} must be a number of milliseconds ≥ 0, got `));
    }
    const refusedLog = await waitForLog(client, '1', 'x', { maxWaitMs: Number.NaN }).catch((error: unknown) => error);
    expect(refusedLog).toMatchObject({ kind: 'invalid-argument', argument: 'maxWaitMs' });
    expect(requests).toBe(0);
  });

  it('a since that is not a whole number ≥ 0 is an InvalidArgumentError, before any request (NaN never means "nothing")', async () => {
    let requests = 0;
    const client = sandbox.clientFor(sandbox.url, {
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    for (const since of [Number.NaN, -1, 1.5, Number.POSITIVE_INFINITY]) {
      const refused = await client.process.streamLogs('1', { since }).done.then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(InvalidArgumentError);
      expect(refused).toMatchObject({ argument: 'since', value: since });
      expect((refused as Error).message).toBe(`since must be a whole number of records ≥ 0, got ${since}`);
    }
    expect(requests).toBe(0);
  });
});
