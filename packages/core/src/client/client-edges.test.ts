import { getEventListeners } from 'node:events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modes, startSandbox, type Sandbox } from '../../test/helpers/sandbox.js';
import { HttpError, InvalidArgumentError, waitForLog } from '../index.js';

describe.each(modes)('client edge cases (%s)', (mode) => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox(mode);
  });
  afterAll(() => sandbox.close());

  it("ids that URL resolution would normalize away ('', '.', '..') are refused before any request", async () => {
    let requests = 0;
    const client = sandbox.clientFor(sandbox.url, {
      fetch: (input, init) => {
        requests++;
        return fetch(input, init);
      },
    });
    for (const id of ['', '.', '..']) {
      await expect(client.process.get(id)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(client.process.kill(id)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(client.process.logs(id)).rejects.toBeInstanceOf(InvalidArgumentError);
      await expect(client.process.streamLogs(id).done).rejects.toBeInstanceOf(InvalidArgumentError);
      // A refusal of the client, not an answer of the server.
      await expect(client.process.get(id)).rejects.not.toBeInstanceOf(HttpError);
      await expect(client.process.get(id)).rejects.toMatchObject({
        kind: 'invalid-argument',
        argument: 'id',
        value: id,
      });
    }
    expect(requests).toBe(0);
    expect((await client.process.exec({ command: 'true', name: 'dots..', waitForCompletion: true })).name).toBe(
      'dots..',
    );
  });
});

describe('waitForLog without AbortSignal.any (the fallback)', () => {
  it('leaves no listener on the caller signal, and still passes its abort on', async () => {
    const signals: AbortSignal[] = [];
    const record = { stream: 'stdout' as const, text: 'ready', index: 0 };
    // Each stream yields one record, then nothing more.
    const stream = () => {
      let sent = false;
      const next = () => {
        if (sent) return new Promise<never>(() => {});
        sent = true;
        return Promise.resolve({ value: record, done: false });
      };
      return {
        close: () => {},
        [Symbol.asyncIterator]: () => ({ next, return: async () => ({ value: undefined, done: true }) }),
      };
    };
    const client = {
      process: {
        streamLogs: (_id: string, options: { signal: AbortSignal }) => {
          signals.push(options.signal);
          return stream();
        },
      },
    };
    const any = AbortSignal.any;
    (AbortSignal as { any?: unknown }).any = undefined; // only for this stub client: ky is not involved
    try {
      const application = new AbortController(); // a long-lived signal, e.g. a page's
      for (let call = 0; call < 20; call++) {
        await waitForLog(client as unknown as Parameters<typeof waitForLog>[0], '1', 'ready', {
          signal: application.signal,
        });
      }
      expect(getEventListeners(application.signal, 'abort').length).toBe(0);
      const pending = new AbortController();
      void waitForLog(client as unknown as Parameters<typeof waitForLog>[0], '1', 'never', {
        signal: pending.signal,
      }).catch(() => {});
      pending.abort(new Error('stop'));
      expect(signals.at(-1)?.reason).toEqual(new Error('stop'));
    } finally {
      AbortSignal.any = any;
    }
  });
});
