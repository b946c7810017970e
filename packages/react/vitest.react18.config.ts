import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { defineConfig } from 'vitest/config';

// The hook tests again, against React 18 (the package supports React 18 and 19).
const require = createRequire(import.meta.url);
const react = dirname(require.resolve('react-18/package.json'));
const reactDom = dirname(require.resolve('react-dom-18/package.json'));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^react(?=\/|$)/, replacement: react },
      { find: /^react-dom(?=\/|$)/, replacement: reactDom },
    ],
  },
  test: {
    include: ['src/**/*.test.tsx', 'src/server-rendering.test.ts'],
    setupFiles: ['test/react-18-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    env: { EXPECTED_REACT_MAJOR: '18' },
  },
});
