import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', server: 'src/server/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // ky is ESM-only: `require('ky')` fails on Node < 22, so the CommonJS build carries its own copy.
  // The ESM build keeps it external (deduplicated with the app's, and tree-shaken by its bundler).
  noExternal: ['ky'],
  esbuildOptions(options, { format }) {
    if (format === 'esm') options.external = [...(options.external ?? []), 'ky'];
  },
});
