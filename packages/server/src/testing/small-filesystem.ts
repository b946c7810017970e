import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A tmpfs of a fixed size mounted on a fresh directory (Linux, as root). */
export interface SmallFilesystem {
  path: string;
  /** Writes a file that takes every free byte (the next write anywhere on it fails with ENOSPC). */
  fill(): void;
  /** Removes the file written by {@link fill}: the space comes back. */
  free(): void;
  unmount(): void;
}

/** Mounts a tmpfs of `sizeBytes`, or returns why it cannot (not Linux, not root, no `mount`). */
export function mountSmallFilesystem(sizeBytes: number): SmallFilesystem | string {
  if (process.platform !== 'linux') return 'tmpfs mounts need Linux';
  const path = mkdtempSync(join(tmpdir(), 'small-filesystem-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes}`, 'tmpfs', path], { stdio: 'pipe' });
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    return `cannot mount a tmpfs: ${String((error as { stderr?: Buffer }).stderr ?? error).trim()}`;
  }
  const filler = join(path, 'filler');
  return {
    path,
    fill: () => {
      const descriptor = openSync(filler, 'a');
      const chunk = Buffer.alloc(4096);
      try {
        for (;;) writeSync(descriptor, chunk);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(descriptor);
      }
    },
    free: () => unlinkSync(filler),
    unmount: () => {
      execFileSync('umount', ['-l', path], { stdio: 'pipe' });
      rmSync(path, { recursive: true, force: true });
    },
  };
}
