import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as core from './index.js';

/** The text of the README section under `heading`, up to the next `## ` heading. */
function section(heading: string): string {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "${heading}"`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/**
 * Methods "Lower layers" shows as calls too, not exports: those of a `LogStream` source, of a
 * `TrackedResult` and of an observer.
 */
const SOURCE_METHODS = new Set(['open', 'get', 'known', 'track', 'subscribe', 'getSnapshot']);

/** Names the section shows as called or constructed: `name(…` and `new Name(…`, in code spans. */
function calledNames(text: string): string[] {
  return [...text.matchAll(/`(?:new )?([A-Za-z]\w*)\(/g)].map((match) => match[1] as string);
}

describe('what the README documents is exported', () => {
  it('every function and class of "Lower layers" and "Errors", and every guard', () => {
    const errors = section('Errors');
    const names = new Set([
      ...calledNames(section('Lower layers')),
      ...calledNames(errors),
      ...[...errors.matchAll(/`(is[A-Z]\w*)`/g)].map((match) => match[1] as string),
    ]);
    expect(names).toContain('readLines');
    expect(names).toContain('isNotFoundError');
    for (const method of SOURCE_METHODS) names.delete(method);
    const missing = [...names].filter((name) => typeof (core as Record<string, unknown>)[name] !== 'function');
    expect(missing).toEqual([]);
  });
});
