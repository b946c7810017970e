/**
 * Options of the local sandbox the demo starts (`scripts/start.ts`) and the end-to-end test uses.
 */
import type { SandboxServerOptions } from '@sandproc/server';

const MIB = 1024 * 1024;

/**
 * Output memory for the "100k lines" preset with a wide margin. The server counts each line as
 * its UTF-16 size plus a per-record overhead (about 110 bytes for `line 000001 of 100000`, so
 * about 11 MB for the preset): more than the default 8 MiB per process, which drops the oldest
 * lines before the log view (which connects after exec returns) has read them. With 32 MiB every
 * line is kept whatever the timing; the total (over finished processes) leaves room for several
 * runs of the preset.
 */
export const LOCAL_SANDBOX_OPTIONS = {
  outputMemoryBytes: 32 * MIB,
  totalOutputMemoryBytes: 256 * MIB,
} as const satisfies SandboxServerOptions;
