import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Packs the packages once per run; every test installs these tarballs.
    globalSetup: ['test/pack-once.ts'],
    // Installs and builds are slow on a small shared machine: one file at a time, generous bounds.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 600_000,
  },
});
