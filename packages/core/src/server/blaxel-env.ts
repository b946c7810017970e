/**
 * Blaxel credentials from the environment (`BL_WORKSPACE`, `BL_API_KEY`) or a `.env` file.
 */
import type { BlaxelCommonOptions } from '../client/create-blaxel-client.js';
import { createBlaxelClient } from '../client/create-blaxel-client.js';
import type { SandprocClient } from '../client/create-client.js';

/** Options of {@link createBlaxelClientFromEnv}. */
export interface BlaxelEnvOptions extends BlaxelCommonOptions {
  /** The sandbox's name. Default: `BL_SANDBOX` from the environment. */
  sandbox?: string | undefined;
  /** The sandbox's URL. Default: `BL_SANDBOX_URL`, else `https://run.blaxel.ai/{workspace}/sandboxes/{sandbox}`. */
  url?: string | undefined;
  /** The variables to read. Default: `process.env`. */
  env?: Record<string, string | undefined> | undefined;
  /** A `.env` file read for variables missing from `env`; `false` to skip. Default `'.env'` (in the working directory; ignored if absent). */
  envFile?: string | false | undefined;
}

/** The Blaxel variables found. */
export interface BlaxelEnv {
  workspace: string | undefined;
  apiKey: string | undefined;
  sandbox: string | undefined;
  url: string | undefined;
}

/** Parses `KEY=value` lines (`#` comments, optional `export `, single or double quotes). */
export function parseDotenv(text: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match?.[1]) continue;
    let value = match[2] ?? '';
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) value = value.slice(1, -1);
    else value = value.replace(/\s+#.*$/, '');
    result[match[1]] = value;
  }
  return result;
}

/** The variables of a `.env` file, or undefined when it cannot be read (absent). */
async function readEnvFile(file: string): Promise<Record<string, string> | undefined> {
  try {
    const { readFile } = await import('node:fs/promises');
    return parseDotenv(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The variables found, and the `.env` file that was looked for but could not be read. */
async function readBlaxelSources(
  options: Pick<BlaxelEnvOptions, 'env' | 'envFile'>,
): Promise<{ found: BlaxelEnv; absentFile: string | undefined }> {
  const env =
    options.env ?? (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env ?? {};
  const fileName = options.envFile === false ? undefined : (options.envFile ?? '.env');
  const file = fileName === undefined ? {} : await readEnvFile(fileName);
  const read = (key: string) => env[key] || file?.[key] || undefined;
  const found = {
    workspace: read('BL_WORKSPACE'),
    apiKey: read('BL_API_KEY'),
    sandbox: read('BL_SANDBOX'),
    url: read('BL_SANDBOX_URL'),
  };
  return { found, absentFile: file === undefined ? fileName : undefined };
}

/** Reads `BL_WORKSPACE`, `BL_API_KEY`, `BL_SANDBOX`, `BL_SANDBOX_URL` from `env` (default `process.env`), then the `.env` file. */
export async function readBlaxelEnv(options: Pick<BlaxelEnvOptions, 'env' | 'envFile'> = {}): Promise<BlaxelEnv> {
  return (await readBlaxelSources(options)).found;
}

/**
 * Creates a client of a Blaxel sandbox from `BL_WORKSPACE` and `BL_API_KEY` (environment or `.env`).
 * Server side only: the API key must never reach a browser.
 * @throws Error naming the missing variables.
 */
export async function createBlaxelClientFromEnv(options: BlaxelEnvOptions = {}): Promise<SandprocClient> {
  const { env, envFile, sandbox, url, ...rest } = options;
  const { found, absentFile } = await readBlaxelSources({ env, envFile });
  const values = { workspace: found.workspace, apiKey: found.apiKey, sandbox: sandbox ?? found.sandbox };
  const missing = Object.entries({
    BL_WORKSPACE: values.workspace,
    BL_API_KEY: values.apiKey,
    'BL_SANDBOX (or the sandbox option)': values.sandbox,
  })
    .filter(([, value]) => !value)
    .map(([key]) => key);
  if (missing.length > 0) {
    const where = absentFile === undefined ? '' : `, and the file ${absentFile} does not exist`;
    throw new Error(`createBlaxelClientFromEnv: missing ${missing.join(', ')}: not in the environment${where}`);
  }
  return createBlaxelClient({
    ...rest,
    workspace: values.workspace as string,
    apiKey: values.apiKey as string,
    sandbox: values.sandbox as string,
    ...((url ?? found.url) ? { url: url ?? found.url } : {}),
  });
}
