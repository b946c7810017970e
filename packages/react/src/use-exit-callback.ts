import { isProcessSettled, type ProcessInfo } from '@sandproc/core';
import { useEffect, useRef } from 'react';
import { useLatest } from './use-latest.js';

/** Calls `onExit` when the process of `id` goes from not settled (or unknown) to settled. */
export function useExitCallback(
  id: string | null | undefined,
  process: ProcessInfo | undefined,
  onExit: (process: ProcessInfo) => void,
): void {
  const seen = useRef({ id, settled: process !== undefined && isProcessSettled(process) });
  const onExitRef = useLatest(onExit);
  useEffect(() => {
    const settled = process !== undefined && isProcessSettled(process);
    const previous = seen.current;
    seen.current = { id, settled };
    // Only a transition seen here counts, not a process that had ended before it was watched.
    if (process && settled && previous.id === id && !previous.settled) onExitRef.current(process);
  }, [id, process, onExitRef]);
}
