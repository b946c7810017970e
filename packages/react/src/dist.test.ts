import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

// The build runs before the tests (turbo: test depends on build).
describe('the built package', () => {
  it.each(['index.js', 'index.cjs'])("starts %s with the 'use client' directive", async (file) => {
    const code = await readFile(new URL(`../dist/${file}`, import.meta.url), 'utf8');
    expect(code.startsWith("'use client';")).toBe(true);
  });
});
