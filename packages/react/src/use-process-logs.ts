import type { LogRecord, LogsState, LogsStatus, LogStreamName, ObservableClient } from '@sandproc/core';
import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import { useLatest } from './use-latest.js';
import { useObserverSubscribe } from './use-observer-subscribe.js';
import { useSandproc } from './sandproc-context.js';

/** Options of {@link useProcessLogs}. */
export interface UseProcessLogsOptions {
  /** Stream the logs. Default `true`. */
  enabled?: boolean | undefined;
  /**
   * Keep showing new lines. `false` freezes `lines` as they are (the status still updates and
   * the shared stream goes on, so turning it back on catches up at once). Default `true`.
   */
  follow?: boolean | undefined;
  /** Lines kept; the oldest are dropped beyond it (counted in `dropped`). Default 10000. */
  maxLines?: number | undefined;
  /** Which lines to show. Default `'all'` (both streams, in output order). */
  stream?: LogStreamName | 'all' | undefined;
  /**
   * Re-render at most once per this many milliseconds while lines arrive. Only used by the
   * first hook that opens the process's stream. Default: once per animation frame.
   */
  notifyIntervalMs?: number | undefined;
  /** Called for every line (after the `stream` filter) as it arrives, before batching. */
  onLine?: ((line: LogRecord) => void) | undefined;
  /** Use this client instead of the provider's. */
  client?: ObservableClient | undefined;
}

/** What {@link useProcessLogs} returns. */
export interface UseProcessLogsResult {
  /** The lines kept, oldest first, each with its `stream`, `text` and `index`. */
  lines: readonly LogRecord[];
  /** `lines` joined with `\n` (computed on first read). */
  readonly text: string;
  status: LogsStatus;
  /** The error that ended the stream when `status` is `error`. */
  error: unknown;
  /** Lines no longer in `lines` because of the bound (or the server's own cap). */
  dropped: number;
  /** Hides the lines received so far, for this component only. */
  clear: () => void;
  /**
   * Opens the shared stream again from where it stopped (no line lost or repeated), e.g. after
   * `status: 'error'`. Does nothing once the output ended.
   */
  reconnect: () => void;
}

const idleState: LogsState = { lines: [], status: 'idle', error: undefined, dropped: 0, total: 0 };
const getIdleState = () => idleState;
const noReconnect = () => {};

interface ClearMark {
  id: string | null | undefined;
  /** Lines with a smaller index are hidden. */
  index: number;
  /** `dropped` at the time of the clear. */
  dropped: number;
}

/**
 * The output of process `id` (pid or name), live. Every component following the same process
 * through the same provider shares one stream (given a name, it streams the process the name
 * has when the stream first opens, by pid from then on), closed when the last one unmounts. Re-renders are
 * batched (once per animation frame by default), however fast the lines come.
 */
export function useProcessLogs(
  id: string | null | undefined,
  options: UseProcessLogsOptions = {},
): UseProcessLogsResult {
  const { client, cache } = useSandproc(options.client);
  const { follow = true, maxLines, stream = 'all', notifyIntervalMs } = options;
  const enabled = options.enabled !== false && Boolean(id);
  // Held while the id is the same (see `usePollingObserver`); later `maxLines` go through `setOptions`.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the options apply when the observer is created.
  const observer = useMemo(
    () =>
      id
        ? cache.getLogsObserver(client, id, {
            ...(maxLines === undefined ? {} : { maxLines }),
            ...(notifyIntervalMs === undefined ? {} : { notifyIntervalMs }),
          })
        : undefined,
    [cache, client, id],
  );
  const latest = useLatest(options);

  useEffect(() => {
    if (observer && maxLines !== undefined) observer.setOptions({ maxLines });
  }, [observer, maxLines]);

  // Only a component with `onLine` listens to every line: a thousand without it cost the stream nothing.
  const listens = Boolean(options.onLine);
  useEffect(() => {
    if (!observer || !enabled || !listens) return;
    return observer.onRecord((record) => {
      const { onLine, stream: filter = 'all' } = latest.current;
      if (onLine && (filter === 'all' || filter === record.stream)) onLine(record);
    });
  }, [observer, enabled, listens, latest]);

  const subscribe = useObserverSubscribe(observer, enabled);
  const getSnapshot = useMemo(() => {
    if (!observer) return getIdleState;
    if (follow) return observer.getSnapshot;
    // Not following: the lines stay as they are now; only the status and error move.
    let result = observer.getSnapshot();
    return () => {
      const current = observer.getSnapshot();
      if (current.status !== result.status || current.error !== result.error) {
        result = { ...result, status: current.status, error: current.error };
      }
      return result;
    };
  }, [observer, follow]);
  const state = useSyncExternalStore(subscribe, getSnapshot, getSnapshot);

  const [clearMark, setClearMark] = useState<ClearMark>({ id, index: 0, dropped: 0 });
  const mark = clearMark.id === id ? clearMark : undefined;
  const clear = useCallback(() => {
    if (!observer) return;
    setClearMark({ id, index: observer.cursor, dropped: observer.getSnapshot().dropped });
  }, [observer, id]);

  const reconnect = observer ? observer.reconnect : noReconnect;

  return useMemo(() => {
    let lines = state.lines;
    if (mark && mark.index > 0) lines = lines.slice(firstAtOrAfter(lines, mark.index));
    if (stream !== 'all') lines = lines.filter((line) => line.stream === stream);
    let dropped = state.dropped - (mark?.dropped ?? 0);
    if (maxLines !== undefined && lines.length > maxLines) {
      dropped += lines.length - maxLines;
      lines = lines.slice(lines.length - maxLines);
    }
    let text: string | undefined;
    return {
      lines,
      get text() {
        text ??= lines.map((line) => line.text).join('\n');
        return text;
      },
      status: state.status,
      error: state.error,
      dropped: Math.max(0, dropped),
      clear,
      reconnect,
    };
  }, [state, mark, stream, maxLines, clear, reconnect]);
}

/** Position of the first line whose index is at least `index` (lines are in index order). */
function firstAtOrAfter(lines: readonly LogRecord[], index: number): number {
  let low = 0;
  let high = lines.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    // `middle` is below `high`, so in range.
    if ((lines[middle]?.index ?? index) < index) low = middle + 1;
    else high = middle;
  }
  return low;
}
