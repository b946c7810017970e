import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const source = fileURLToPath(new URL('../index.ts', import.meta.url));

async function bundle(contents: string): Promise<string> {
  const result = await build({
    stdin: { contents, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'ts' },
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    minify: false,
    treeShaking: true,
    logLevel: 'silent',
    alias: { '@sandproc/core': source },
  });
  return result.outputFiles[0]!.text;
}

describe('tree shaking', () => {
  it('leaves the observers out of a bundle that only uses the client', async () => {
    const code = await bundle(
      "import { createClient } from '@sandproc/core'; export const client = createClient({ baseUrl: 'http://x' });",
    );
    expect(code).toContain('createClient');
    for (const name of ['LogsObserver', 'ProcessObserver', 'ExecController', 'Subscribable', 'requestAnimationFrame']) {
      expect(code).not.toContain(name);
    }
  });

  it('keeps them when used', async () => {
    const code = await bundle("export { ObserverCache } from '@sandproc/core';");
    expect(code).toContain('ProcessObserver');
  });
});
