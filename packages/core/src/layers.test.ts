import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The layers of `src`, lowest first (docs/DESIGN.md "Layers"): a module imports only from its own
 * layer or a lower one. `pnpm check:cycles` (madge) finds cycles; this finds an import that points up.
 */
const layers: [layer: string, paths: RegExp][] = [
  ['types and constants', /^(types|constants)\.ts$/],
  ['errors', /^errors\//],
  ['shared', /^shared\//],
  ['streams', /^streams\//],
  ['client', /^client\//],
  ['observers', /^observers\//],
  ['entry points', /^(server\/|index\.ts$)/],
];

const sourceRoot = dirname(fileURLToPath(import.meta.url));

function layerOf(path: string): number {
  const index = layers.findIndex(([, paths]) => paths.test(path));
  if (index < 0)
    throw new Error(`${path} belongs to no layer: add it to the list in layers.test.ts and in docs/DESIGN.md`);
  return index;
}

function modules(): string[] {
  const files = readdirSync(sourceRoot, { recursive: true, encoding: 'utf8' });
  return files
    .filter((file) => /\.tsx?$/.test(file) && !/\.test(-helper)?\.tsx?$/.test(file))
    .map((file) => file.split('\\').join('/'));
}

function relativeImports(file: string): string[] {
  const text = readFileSync(join(sourceRoot, file), 'utf8');
  const found = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.[^']+)'/gms)].map((match) => match[1]!);
  return found.map((specifier) =>
    relative(sourceRoot, resolve(sourceRoot, dirname(file), specifier))
      .split('\\')
      .join('/')
      .replace(/\.js$/, '.ts'),
  );
}

describe('layers', () => {
  it('every import points to the same layer or a lower one', () => {
    const upward: string[] = [];
    let imports = 0;
    for (const file of modules()) {
      for (const target of relativeImports(file)) {
        imports++;
        if (layerOf(target) > layerOf(file)) upward.push(`${file} → ${target}`);
      }
    }
    expect(imports).toBeGreaterThan(50);
    expect(upward).toEqual([]);
  });

  it('an import that points up is found', () => {
    expect(layerOf('streams/log-stream.ts')).toBeLessThan(layerOf('client/transport.ts'));
    expect(layerOf('shared/sleep.ts')).toBeLessThan(layerOf('streams/log-stream.ts'));
    expect(layerOf('types.ts')).toBeLessThan(layerOf('errors/http-errors.ts'));
    expect(() => layerOf('elsewhere/new-module.ts')).toThrow(/belongs to no layer/);
  });
});
