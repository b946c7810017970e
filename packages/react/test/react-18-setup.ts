// Runs the hook tests against React 18: every `react` and `react-dom` import, ESM (aliases in
// vitest.react18.config.ts) or CommonJS (below, for react-dom and @testing-library/react),
// resolves to the React 18 copies installed as `react-18` and `react-dom-18`.
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';

const require = createRequire(import.meta.url);
const targets: [RegExp, string][] = [
  [/^react(?=\/|$)/, dirname(require.resolve('react-18/package.json'))],
  [/^react-dom(?=\/|$)/, dirname(require.resolve('react-dom-18/package.json'))],
];
const moduleWithResolver = Module as unknown as {
  _resolveFilename(request: string, ...rest: unknown[]): string;
};
const resolveFilename = moduleWithResolver._resolveFilename;
moduleWithResolver._resolveFilename = function (request: string, ...rest: unknown[]) {
  for (const [pattern, directory] of targets) {
    if (pattern.test(request)) return resolveFilename.call(this, request.replace(pattern, directory), ...rest);
  }
  return resolveFilename.call(this, request, ...rest);
};
