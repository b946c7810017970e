import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBlaxelClientFromEnv, parseDotenv, readBlaxelEnv } from './blaxel-env.js';

describe('createBlaxelClientFromEnv (server-only entry)', () => {
  let directory: string;
  let envFile: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sandproc-env-'));
    envFile = join(directory, '.env');
    await writeFile(
      envFile,
      '# comment\nexport BL_WORKSPACE="from-file"\nBL_API_KEY=file-key # trailing\nBL_SANDBOX=\'box\'\n',
    );
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));

  it('parses .env lines', () => {
    expect(parseDotenv('A=1\n# c\n export B = "two words" \nC=\'x#y\'\nD=e # f\nbad line')).toEqual({
      A: '1',
      B: 'two words',
      C: 'x#y',
      D: 'e',
    });
  });

  it('reads the environment first, then the .env file', async () => {
    expect(await readBlaxelEnv({ env: { BL_WORKSPACE: 'from-env' }, envFile })).toEqual({
      workspace: 'from-env',
      apiKey: 'file-key',
      sandbox: 'box',
      url: undefined,
    });
    const client = await createBlaxelClientFromEnv({ env: {}, envFile });
    expect(client.baseUrl).toBe('https://run.blaxel.ai/from-file/sandboxes/box');
  });

  it('names the missing variables; a missing .env file is ignored', async () => {
    const absent = join(directory, 'absent.env');
    await expect(createBlaxelClientFromEnv({ env: { BL_WORKSPACE: 'w' }, envFile: absent })).rejects.toThrow(
      `createBlaxelClientFromEnv: missing BL_API_KEY, BL_SANDBOX (or the sandbox option): not in the environment, and the file ${absent} does not exist`,
    );
    await expect(createBlaxelClientFromEnv({ env: {}, envFile })).resolves.toBeDefined();
    await expect(createBlaxelClientFromEnv({ env: {}, envFile: false })).rejects.toThrow(
      /missing BL_WORKSPACE, BL_API_KEY, BL_SANDBOX \(or the sandbox option\): not in the environment$/,
    );
    const client = await createBlaxelClientFromEnv({
      env: { BL_WORKSPACE: 'w', BL_API_KEY: 'k' },
      envFile: false,
      sandbox: 's',
      url: 'http://127.0.0.1:1',
    });
    expect(client.baseUrl).toBe('http://127.0.0.1:1');
  });
});
