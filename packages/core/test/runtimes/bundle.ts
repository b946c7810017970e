/**
 * Bundles `smoke.ts` with esbuild for the runtime tests, against the BUILT core
 * (`packages/core/dist`, what users install), never against a Node-only build:
 * platform `neutral`, so a `node:` import anywhere in the core fails the build.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { SERIALIZE_ERROR_SOURCE } from './runners.js';

const here = dirname(fileURLToPath(import.meta.url));
const coreRoot = resolve(here, '../..');
const coreDist = join(coreRoot, 'dist/index.js');
const smokeEntry = join(here, 'smoke.ts');

export interface SmokeBundles {
  /** Directory holding the files below (deleted by `dispose`). */
  directory: string;
  /** ESM module exporting `runSmoke` (for Node, Deno, Bun and the browser page). */
  modulePath: string;
  moduleCode: string;
  /** Classic script defining `globalThis.SandprocSmoke.runSmoke` (for the edge runtime's `evaluate`). */
  scriptCode: string;
  /** Self-contained ES module worker (`export default { fetch }`) running the smoke (for workerd). */
  workerCode: string;
  dispose(): Promise<void>;
}

/** Redirects the smoke's `../../src/index.js` import to the built package. */
const useBuiltCore: Plugin = {
  name: 'use-built-core',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /\/src\/index\.js$/ }, (args) =>
      args.importer === smokeEntry ? { path: coreDist } : undefined,
    );
  },
};

const WORKER_ENTRY = `
import { runSmoke } from ${JSON.stringify(smokeEntry)};
export default {
  async fetch(request, env) {
    try {
      const report = await runSmoke({ baseUrl: env.SANDBOX_URL, token: env.SANDBOX_TOKEN, refusedUrl: env.SANDBOX_REFUSED_URL, runtime: 'workerd' });
      return Response.json({ ok: true, report });
    } catch (error) {
      return Response.json({ ok: false, error: (${SERIALIZE_ERROR_SOURCE})(error) });
    }
  },
};
`;

async function bundle(options: { stdin?: string; format: 'esm' | 'iife'; globalName?: string }): Promise<string> {
  const result = await build({
    ...(options.stdin === undefined
      ? { entryPoints: [smokeEntry] }
      : { stdin: { contents: options.stdin, resolveDir: here, sourcefile: 'worker-entry.js', loader: 'js' } }),
    bundle: true,
    write: false,
    platform: 'neutral',
    mainFields: ['module', 'main'],
    conditions: ['worker', 'browser'],
    format: options.format,
    globalName: options.globalName,
    target: 'es2022',
    logLevel: 'silent',
    plugins: [useBuiltCore],
  });
  const output = result.outputFiles[0];
  if (!output) throw new Error('esbuild produced no output');
  return output.text;
}

export async function buildSmokeBundles(): Promise<SmokeBundles> {
  if (!existsSync(coreDist)) {
    throw new Error(`${coreDist} is missing: build the core first (pnpm --filter @sandproc/core build)`);
  }
  const [moduleCode, scriptCode, workerCode] = await Promise.all([
    bundle({ format: 'esm' }),
    bundle({ format: 'iife', globalName: 'SandprocSmoke' }),
    bundle({ format: 'esm', stdin: WORKER_ENTRY }),
  ]);
  const directory = await mkdtemp(join(tmpdir(), 'sandproc-runtimes-'));
  const modulePath = join(directory, 'smoke.mjs');
  await writeFile(modulePath, moduleCode);
  return {
    directory,
    modulePath,
    moduleCode,
    scriptCode,
    workerCode,
    dispose: () => rm(directory, { recursive: true, force: true }),
  };
}
