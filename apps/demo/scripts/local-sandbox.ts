/**
 * Options of the local sandbox the demo starts (`scripts/start.ts`) and the end-to-end test uses.
 */
import type { SandboxServerOptions } from '@sandproc/server';

const MIB = 1024 * 1024;

/**
 * Output kept on disk for the "100k lines" preset with a wide margin: about 3 MB on disk (the
 * line plus a newline, and a 40-byte index entry per pipe read), so with 32 MiB per process every
 * line is kept whatever the timing, and the total leaves room for many runs of the preset.
 */
export const LOCAL_SANDBOX_OPTIONS = {
  outputDiskBytes: 32 * MIB,
  totalOutputDiskBytes: 256 * MIB,
} as const satisfies SandboxServerOptions;
