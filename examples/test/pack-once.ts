/**
 * vitest global setup: packs the published packages once per run (`pnpm pack`, as a release does)
 * and hands the tarballs to every test through `inject('tarballs')`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { packPackages, type PackedTarballs } from '../../scripts/pack-packages.mjs';

declare module 'vitest' {
  export interface ProvidedContext {
    tarballs: PackedTarballs;
  }
}

export default function setup(project: TestProject): () => void {
  const destination = mkdtempSync(join(tmpdir(), 'sandproc-examples-pack-'));
  project.provide('tarballs', packPackages(destination));
  return () => rmSync(destination, { recursive: true, force: true });
}
