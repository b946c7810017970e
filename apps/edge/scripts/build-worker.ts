/**
 * Bundles the worker into one ES module for workerd (what wrangler would do):
 * `pnpm --filter @sandproc/edge build` writes dist/worker.js; the tests call `bundleWorker()`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const appRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The bundled worker's source. Platform `neutral`: a `node:` import anywhere fails the build. */
export async function bundleWorker(): Promise<string> {
  const result = await build({
    entryPoints: [join(appRoot, 'src/worker.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['workerd', 'worker', 'browser'],
    target: 'es2022',
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output');
  return output.text;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outfile = join(appRoot, 'dist/worker.js');
  await mkdir(dirname(outfile), { recursive: true });
  await writeFile(outfile, await bundleWorker());
  console.log(`wrote ${outfile}`);
}
