/**
 * The TypeScript code blocks of the documentation, as a user pastes them.
 *
 * A block is checked as a whole module. A block that must stay a fragment says so on its first
 * line, `// fragment: <context>`, and is checked inside that context (see `FRAGMENT_CONTEXTS`).
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Documents whose ```ts and ```tsx blocks must compile, relative to the repository root. */
export const DOCUMENTS = [
  'README.md',
  'docs/getting-started.md',
  'packages/core/README.md',
  'packages/react/README.md',
  'packages/server/README.md',
];

export interface CodeBlock {
  /** `packages/core/README.md:42` (the line of the opening fence). */
  location: string;
  language: 'ts' | 'tsx';
  code: string;
  /** The heading the block is under. */
  heading: string;
  /** The context named by a `// fragment: <context>` first line, or null for a complete block. */
  fragmentContext: string | null;
}

/**
 * What a fragment may assume, by context name: code before it and after it. The block's own
 * `import` lines stay valid at the top level of a module (imports may follow statements).
 */
export const FRAGMENT_CONTEXTS: Record<string, { before: string; after: string }> = {
  /** A client of the local server named `client` exists. */
  client: {
    before:
      "import { createClient } from '@sandproc/core';\nconst client = createClient({ baseUrl: 'http://127.0.0.1:8080', token: 'dev-token' });\n",
    after: '',
  },
  /** The lines are the body of a React component, inside a `SandprocProvider`. */
  component: {
    before:
      "import { useExec, useProcess, useProcessList, useProcessLogs, useSandprocClient } from '@sandproc/react';\nexport function Fragment() {\n",
    after: '\n  return null;\n}\n',
  },
};

const FENCE = /^```(\w+)[^\n]*\n([\s\S]*?)^```\s*$/gm;

/** Every ```ts / ```tsx block of `document` (a path relative to `root`). */
export function codeBlocks(root: string, document: string): CodeBlock[] {
  const text = readFileSync(join(root, document), 'utf8');
  const blocks: CodeBlock[] = [];
  for (const match of text.matchAll(FENCE)) {
    const [, language, code = ''] = match;
    if (language !== 'ts' && language !== 'tsx') continue;
    const before = text.slice(0, match.index);
    const line = before.split('\n').length;
    const heading = [...before.matchAll(/^#+ (.+)$/gm)].at(-1)?.[1] ?? '';
    const fragment = /^\/\/ fragment: (\S+)/.exec(code);
    blocks.push({
      location: `${relative(root, join(root, document))}:${line}`,
      language,
      code,
      heading,
      fragmentContext: fragment?.[1] ?? null,
    });
  }
  return blocks;
}

/** The module that is type-checked for a block: the block itself, or the block inside its context. */
export function moduleSource(block: CodeBlock): string {
  if (block.fragmentContext === null) return block.code;
  const context = FRAGMENT_CONTEXTS[block.fragmentContext];
  if (!context) {
    throw new Error(
      `${block.location}: unknown fragment context '${block.fragmentContext}' (known: ${Object.keys(FRAGMENT_CONTEXTS).join(', ')})`,
    );
  }
  return `${context.before}${block.code}${context.after}`;
}
