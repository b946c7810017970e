import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { exactOptionalErrors } from '@sandproc/test-utils';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./index.ts', import.meta.url));

/**
 * Code of a user whose tsconfig has `exactOptionalPropertyTypes` (e.g. @tsconfig/strictest): the
 * options are passed values that may be undefined, as the README's quick start does with
 * `token: process.env.SANDPROC_TOKEN`.
 */
const USER_CODE = `
import { createClient, createBlaxelClient, waitForLog, ObserverCache, type ExecRequest } from ${JSON.stringify(entry)};
declare const maybeBoolean: boolean | undefined;
declare const maybeString: string | undefined;
declare const maybeNumber: number | undefined;
declare const maybeSignal: AbortSignal | undefined;
declare const maybeEnv: Record<string, string> | undefined;
const client = createClient({ baseUrl: 'http://127.0.0.1:8080', token: maybeString, headers: maybeEnv, requestTimeoutMs: maybeNumber, retry: { limit: maybeNumber } });
createBlaxelClient({ workspace: 'w', sandbox: 's', apiKey: 'k', url: maybeString });
const request: ExecRequest = { command: 'ls', name: maybeString, workingDir: maybeString, env: maybeEnv, timeout: maybeNumber };
await client.process.exec(request, { signal: maybeSignal, keepaliveTimeoutMs: maybeNumber });
await client.process.wait('p', { maxWaitMs: maybeNumber, intervalMs: maybeNumber, signal: maybeSignal });
await client.process.kill('p', { killSignal: maybeString });
await client.process.logs('p', { stream: undefined });
client.process.streamLogs('p', { since: maybeNumber, keepaliveTimeoutMs: maybeNumber, reconnect: { maxAttempts: maybeNumber }, signal: maybeSignal });
await waitForLog(client, 'p', 'ready', { maxWaitMs: maybeNumber });
const cache = new ObserverCache({ gcTimeMs: maybeNumber });
cache.getProcessObserver(client, 'p', { intervalMs: maybeNumber, maxBackoffMs: maybeNumber, pauseWhenHidden: maybeBoolean });
cache.getProcessListObserver(client, { intervalMs: maybeNumber, maxBackoffMs: maybeNumber, pauseWhenHidden: maybeBoolean });
cache.getLogsObserver(client, 'p', { maxLines: maybeNumber, notifyIntervalMs: maybeNumber });
export {};
`;

describe('types under exactOptionalPropertyTypes', () => {
  it('every option takes a value that may be undefined (no error in user code)', async () => {
    expect(await exactOptionalErrors(USER_CODE, tmpdir())).toEqual([]);
  });
});
