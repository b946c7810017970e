/**
 * A client for a Blaxel cloud sandbox (PROTOCOL.md §5). Safe in browser bundles: it reads no
 * environment; pass credentials explicitly (server side) or a preview token (browser).
 */
import type { ClientOptions } from './client-options.js';
import { createClient, type SandprocClient } from './create-client.js';

/** Options shared by both ways of reaching a Blaxel sandbox. */
export type BlaxelCommonOptions = Omit<ClientOptions, 'baseUrl' | 'token'>;

/** Server side: workspace credentials. Never put an API key in a browser bundle. */
export interface BlaxelApiKeyOptions extends BlaxelCommonOptions {
  /** The Blaxel workspace (`BL_WORKSPACE`). */
  workspace: string;
  /** The sandbox's name. */
  sandbox: string;
  /** A Blaxel API key (`BL_API_KEY`), sent as `x-blaxel-authorization: Bearer <key>`. */
  apiKey: string;
  /** The sandbox's own URL (`metadata.url`). Default `https://run.blaxel.ai/{workspace}/sandboxes/{sandbox}`. */
  url?: string | undefined;
}

/** Browser side: a short-lived preview/session token minted by your server. */
export interface BlaxelPreviewTokenOptions extends BlaxelCommonOptions {
  /** The sandbox's URL (its `metadata.url`, or `https://run.blaxel.ai/{workspace}/sandboxes/{sandbox}`). */
  url: string;
  /** Sent as `X-Blaxel-Preview-Token`. */
  previewToken: string;
}

/** Options of {@link createBlaxelClient}: an API key (server side) or a preview token (browser). */
export type BlaxelClientOptions = BlaxelApiKeyOptions | BlaxelPreviewTokenOptions;

/** The URL of a sandbox in the Blaxel cloud. */
export function blaxelSandboxUrl(workspace: string, sandbox: string): string {
  return `https://run.blaxel.ai/${encodeURIComponent(workspace)}/sandboxes/${encodeURIComponent(sandbox)}`;
}

/**
 * Creates a client of a Blaxel sandbox. `exec` with `waitForCompletion` follows the streamed output
 * instead of holding a response, so commands longer than the edge's ~60 s limit still succeed.
 */
export function createBlaxelClient(options: BlaxelClientOptions): SandprocClient {
  if (!options || typeof options !== 'object') {
    throw new TypeError(
      '@sandproc/core: createBlaxelClient needs { workspace, sandbox, apiKey } or { url, previewToken }',
    );
  }
  if ('previewToken' in options) {
    const { url, previewToken, headers, ...rest } = options;
    for (const [key, value] of [
      ["url (the sandbox's URL, a string) with previewToken", url],
      ['previewToken (a string)', previewToken],
    ])
      if (typeof value !== 'string' || !value)
        throw new TypeError(`@sandproc/core: createBlaxelClient needs ${key}, got ${JSON.stringify(value)}`);
    return createClient({ ...rest, baseUrl: url, headers: { ...headers, 'x-blaxel-preview-token': previewToken } });
  }
  const { workspace, sandbox, apiKey, url, headers, ...rest } = options;
  // The sandbox's name builds the default URL: not needed when `url` is given.
  for (const [key, value] of Object.entries({ workspace, apiKey, ...(url ? {} : { sandbox }) })) {
    if (typeof value !== 'string' || !value)
      throw new TypeError(`@sandproc/core: createBlaxelClient needs ${key} (a string), or { url, previewToken }`);
  }
  return createClient({
    ...rest,
    baseUrl: url ?? blaxelSandboxUrl(workspace, sandbox),
    headers: { ...headers, 'x-blaxel-authorization': `Bearer ${apiKey}`, 'x-blaxel-workspace': workspace },
  });
}
