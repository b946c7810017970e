import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The type errors of `code` (a user's module) compiled as a strictest tsconfig does: `strict` with
 * `exactOptionalPropertyTypes`, bundler resolution. The file is written in a fresh folder inside
 * `parent` (so its bare imports resolve from there) and removed after. Only errors in `code` are
 * returned, each as its first line; TypeScript is loaded on the first call.
 */
export async function exactOptionalErrors(code: string, parent: string): Promise<string[]> {
  const { default: ts } = await import('typescript');
  const directory = mkdtempSync(join(parent, '.exact-optional-'));
  try {
    const file = join(directory, 'user.ts');
    writeFileSync(file, code);
    const program = ts.createProgram([file], {
      strict: true,
      exactOptionalPropertyTypes: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      allowImportingTsExtensions: true,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
      types: [],
      noEmit: true,
    });
    return ts
      .getPreEmitDiagnostics(program)
      .filter((diagnostic) => diagnostic.file?.fileName === file)
      .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').split('\n')[0] ?? '');
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
