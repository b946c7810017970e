import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../test/helpers/sandbox.js';
import { blaxelSandboxUrl, createBlaxelClient } from '../index.js';

describe('createBlaxelClient', () => {
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox('strict', { auth: false });
  });
  afterAll(() => sandbox.close());

  /** A real fetch that records what it sends (without consuming request bodies). */
  const recordingFetch =
    (seen: { url: string; headers: Headers }[]): typeof fetch =>
    (input, init) => {
      const request = input instanceof Request ? input : new Request(input, init);
      seen.push({ url: request.url, headers: new Headers(request.headers) });
      return fetch(input, init);
    };

  it('builds the cloud URL from workspace and sandbox', () => {
    expect(blaxelSandboxUrl('my-ws', 'box 1')).toBe('https://run.blaxel.ai/my-ws/sandboxes/box%201');
    expect(createBlaxelClient({ workspace: 'my-ws', sandbox: 'box', apiKey: 'k' }).baseUrl).toBe(
      'https://run.blaxel.ai/my-ws/sandboxes/box',
    );
  });

  it('sends the API key and workspace headers (server side)', async () => {
    const seen: { url: string; headers: Headers }[] = [];
    const client = createBlaxelClient({
      workspace: 'ws',
      sandbox: 'box',
      apiKey: 'secret',
      url: sandbox.url,
      fetch: recordingFetch(seen),
    });
    const process = await client.process.exec({ command: 'echo cloud', waitForCompletion: true });
    expect(process.stdout).toBe('cloud\n');
    expect(seen[0]?.url).toBe(`${sandbox.url}/process`);
    expect(seen[0]?.headers.get('x-blaxel-authorization')).toBe('Bearer secret');
    expect(seen[0]?.headers.get('x-blaxel-workspace')).toBe('ws');
    expect(seen[0]?.headers.get('authorization')).toBeNull();
  });

  it('sends a preview token (browser side)', async () => {
    const seen: { url: string; headers: Headers }[] = [];
    const client = createBlaxelClient({
      url: sandbox.url,
      previewToken: 'preview-123',
      fetch: recordingFetch(seen),
      headers: { 'x-extra': '1' },
    });
    await client.process.list();
    expect(seen[0]?.headers.get('x-blaxel-preview-token')).toBe('preview-123');
    expect(seen[0]?.headers.get('x-extra')).toBe('1');
    expect(seen[0]?.headers.get('x-blaxel-authorization')).toBeNull();
  });
});
