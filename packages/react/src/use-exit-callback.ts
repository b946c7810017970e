import { isProcessSettled, type ProcessInfo } from '@sandproc/core';
import { useEffect, useRef } from 'react';
import { useLatest } from './use-latest.js';

/**
 * Calls `onExit` once when the process of `id` settles after it was seen not settled under the
 * same `id`: a process that had already ended when it was first seen does not count. With
 * `started` (useExec, one `id` per run), every new `id` counts as not settled yet: its process
 * was started here, even if the first answer already says it ended.
 */
export function useExitCallback(
  id: string | null | undefined,
  process: ProcessInfo | undefined,
  onExit: (process: ProcessInfo) => void,
  started = false,
): void {
  const seen = useRef<{ id: string | null | undefined; live: boolean }>(undefined);
  const onExitRef = useLatest(onExit);
  useEffect(() => {
    const settled = process !== undefined && isProcessSettled(process);
    const previous = seen.current;
    const live = previous && previous.id === id ? previous.live : started;
    seen.current = { id, live: !settled && (live || process !== undefined) };
    if (process && settled && live) onExitRef.current(process);
  }, [id, process, onExitRef, started]);
}
