/**
 * The CommonJS build, as a `require` consumer gets it: a child Node process requires
 * `dist/index.cjs` (ky is ESM-only, so the CJS build must carry its own copy) and makes real calls
 * against a local server. Needs the built package (`pnpm --filter @sandproc/core build`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../helpers/sandbox.js';

const cjsEntry = resolve(dirname(fileURLToPath(import.meta.url)), '../../dist/index.cjs');

const script = `
const { createClient, isNotFoundError } = require(${JSON.stringify(cjsEntry)});
(async () => {
  const client = createClient({ baseUrl: process.env.SANDBOX_URL, token: process.env.SANDBOX_TOKEN });
  const result = await client.process.exec({ command: 'echo from-cjs', waitForCompletion: true });
  const notFound = await client.process.get('no-such-process').catch((error) => isNotFoundError(error));
  console.log(JSON.stringify({ status: result.status, stdout: result.stdout, notFound }));
})().catch((error) => { console.error(error); process.exit(1); });
`;

describe('the CommonJS build', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox('extended');
  });
  afterAll(() => sandbox.close());

  it('require() of dist/index.cjs creates a client that talks to a real server', async () => {
    expect(existsSync(cjsEntry), `${cjsEntry} is missing: build the core first`).toBe(true);
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script], {
      env: { ...process.env, SANDBOX_URL: sandbox.url, SANDBOX_TOKEN: sandbox.token },
    });
    expect(JSON.parse(stdout)).toEqual({ status: 'completed', stdout: 'from-cjs\n', notFound: true });
  });
});
