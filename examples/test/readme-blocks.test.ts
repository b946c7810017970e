/**
 * Docs that compile: every ```ts / ```tsx block of the READMEs and the getting-started page is
 * type-checked as pasted (strict) against the packed packages, installed with npm in a project
 * outside the workspace. The quick starts are also run against a local server from the packed
 * `@sandproc/server`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { examplesRoot, installExample, runCommand, startCommand, type ExampleProject } from './example-project.js';
import { codeBlocks, DOCUMENTS, moduleSource, type CodeBlock } from './readme-blocks.js';

const repositoryRoot = resolve(examplesRoot, '..');
const tsx = join(repositoryRoot, 'node_modules', '.bin', 'tsx');

/**
 * Blocks run against a local server (by document and heading) and what their output must show.
 * Their `http://127.0.0.1:8080` becomes the test server's URL; `SANDPROC_TOKEN` is its token.
 */
const EXECUTED = [
  { document: 'README.md', heading: 'Use it', prints: /completed hello/ },
  {
    document: 'packages/core/README.md',
    heading: 'Node / Deno / Bun, against the local server',
    prints: /completed 0[\s\S]*dev-server stopped/,
  },
  // It starts a server of its own (port 0) and closes it: it must run to its end without an error.
  { document: 'packages/server/README.md', heading: 'Programmatic API', prints: /^/ },
  {
    document: 'docs/getting-started.md',
    heading: '3. Run a command from Node',
    prints: /hello from the sandbox[\s\S]*exit 0/,
  },
];

const COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noUncheckedIndexedAccess: true,
  // What a strictest tsconfig adds: an option given a value that may be undefined must accept it.
  exactOptionalPropertyTypes: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  moduleDetection: ts.ModuleDetectionKind.Force,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  jsx: ts.JsxEmit.ReactJSX,
  types: ['node'],
  noEmit: true,
  skipLibCheck: false,
};

const blocks = DOCUMENTS.flatMap((document) =>
  codeBlocks(repositoryRoot, document).map((block) => ({ document, block })),
);

describe('documentation code blocks', () => {
  let project: ExampleProject;
  let diagnosticsByFile: Map<string, string[]>;
  const fileOf = new Map<CodeBlock, string>();

  beforeAll(async () => {
    project = await installExample('test/docs-project', inject('tarballs'));
    mkdirSync(join(project.directory, 'blocks'), { recursive: true });
    blocks.forEach(({ block }, index) => {
      const file = join(project.directory, 'blocks', `block-${index}.${block.language}`);
      writeFileSync(file, moduleSource(block));
      fileOf.set(block, file);
    });
    const program = ts.createProgram([...fileOf.values()], {
      ...COMPILER_OPTIONS,
      typeRoots: [join(project.directory, 'node_modules', '@types')],
    });
    diagnosticsByFile = new Map();
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const file = diagnostic.file?.fileName ?? '(global)';
      const position =
        diagnostic.file && diagnostic.start !== undefined
          ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
          : null;
      const where = position ? `line ${position.line + 1}: ` : '';
      diagnosticsByFile.set(file, [
        ...(diagnosticsByFile.get(file) ?? []),
        where + ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'),
      ]);
    }
  });

  afterAll(() => project?.remove());

  it('finds the blocks of every document', () => {
    for (const document of DOCUMENTS)
      expect(
        blocks.some((entry) => entry.document === document),
        document,
      ).toBe(true);
  });

  it('reports no problem outside the blocks (a missing @types, a broken declaration file)', () => {
    const elsewhere = [...diagnosticsByFile].filter(([file]) => ![...fileOf.values()].includes(file));
    expect(elsewhere).toEqual([]);
  });

  it.each(blocks.map(({ block }) => [block.location, block] as const))('%s compiles as pasted', (_location, block) => {
    expect(diagnosticsByFile.get(fileOf.get(block) ?? '') ?? []).toEqual([]);
  });

  describe('quick starts, run against a local server', () => {
    it.each(EXECUTED.map((entry) => [`${entry.document} · ${entry.heading}`, entry] as const))(
      '%s',
      async (_name, entry) => {
        const found = blocks.filter(
          ({ document, block }) => document === entry.document && block.heading === entry.heading,
        );
        expect(found.length).toBeGreaterThan(0);
        const token = 'quick-start-token';
        // The packed CLI, as `npx sandproc-server` runs it.
        const server = await startCommand(
          process.execPath,
          [join(project.directory, 'node_modules/@sandproc/server/dist/cli.js'), '--port', '0'],
          {
            cwd: project.directory,
            env: { SANDPROC_TOKEN: token },
            readyPattern: /listening on (http:\/\/\S+)/,
          },
        );
        try {
          for (const [index, { block }] of found.entries()) {
            const file = join(project.directory, `quick-start-${index}.${block.language}`);
            writeFileSync(file, block.code.replaceAll('http://127.0.0.1:8080', server.ready[1]!));
            const output = await runCommand(tsx, [file], {
              cwd: project.directory,
              env: { SANDPROC_TOKEN: token },
              timeoutMs: 60_000,
            });
            expect(output, block.location).toMatch(entry.prints);
          }
        } finally {
          await server.stop();
        }
      },
    );
  });
});
