import { defineConfig, type Options } from 'tsup';

const shared: Options = { sourcemap: true, target: 'node20', platform: 'node' };

export default defineConfig([
  // The library, for `import` and `require`.
  {
    ...shared,
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: { entry: 'src/index.ts' },
    clean: ['!cli.js', '!cli.js.map'],
  },
  // The `sandproc-server` bin: ESM only (a CommonJS copy would ship unused). It loads the server
  // from the library's `index.js` instead of bundling a second copy of it.
  {
    ...shared,
    entry: ['src/cli.ts'],
    format: ['esm'],
    clean: false,
    esbuildPlugins: [
      {
        name: 'cli-imports-the-library',
        setup(build) {
          build.onResolve({ filter: /^\.\/create-sandbox-server\.js$/ }, () => ({
            path: './index.js',
            external: true,
          }));
        },
      },
    ],
  },
]);
