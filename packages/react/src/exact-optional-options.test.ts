import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const entry = fileURLToPath(new URL('./index.ts', import.meta.url));
/** Inside the package, so that the user's `@sandproc/core` import resolves as the hooks' own does. */
const scratchParent = fileURLToPath(new URL('../node_modules/', import.meta.url));

/**
 * A component of a user whose tsconfig has `exactOptionalPropertyTypes` (e.g. @tsconfig/strictest),
 * passing the hooks' own options values that may be undefined (props, feature flags).
 */
const USER_CODE = `
import { SandprocProvider, useExec, useProcess, useProcessList, useProcessLogs } from ${JSON.stringify(entry)};
import type { ObservableClient, ObserverCache, ProcessInfo } from '@sandproc/core';
declare const maybeBoolean: boolean | undefined;
declare const maybeNumber: number | undefined;
declare const maybeClient: ObservableClient | undefined;
declare const maybeCache: ObserverCache | undefined;
declare const maybeProcess: ProcessInfo | undefined;
declare const maybeList: ProcessInfo[] | undefined;
declare const maybeCallback: ((process: ProcessInfo) => void) | undefined;
export function Component() {
  useExec({ client: maybeClient, onExit: maybeCallback, onLine: undefined, logs: maybeBoolean });
  useProcess('p', { enabled: maybeBoolean, initialData: maybeProcess, client: maybeClient, onExit: maybeCallback });
  useProcessList({ enabled: maybeBoolean, initialData: maybeList, client: maybeClient });
  useProcessLogs('p', { enabled: maybeBoolean, follow: maybeBoolean, maxLines: maybeNumber, stream: undefined, notifyIntervalMs: maybeNumber, client: maybeClient });
  return SandprocProvider({ client: maybeClient as ObservableClient, cache: maybeCache, children: undefined });
}
`;

describe('hook options under exactOptionalPropertyTypes', () => {
  it("take values that may be undefined (no error in the user's code)", () => {
    const directory = mkdtempSync(join(scratchParent, '.exact-optional-'));
    try {
      const file = join(directory, 'user.ts');
      writeFileSync(file, USER_CODE);
      const program = ts.createProgram([file], {
        strict: true,
        exactOptionalPropertyTypes: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        moduleResolution: ts.ModuleResolutionKind.Bundler,
        allowImportingTsExtensions: true,
        jsx: ts.JsxEmit.ReactJSX,
        lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
        types: [],
        noEmit: true,
      });
      const errors = ts
        .getPreEmitDiagnostics(program)
        .filter((diagnostic) => diagnostic.file?.fileName === file)
        .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n').split('\n')[0]);
      expect(errors).toEqual([]);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
