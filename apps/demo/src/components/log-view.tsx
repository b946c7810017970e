import { useProcessLogs } from '@sandproc/react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useLayoutEffect, useRef, useState } from 'react';
import { errorMessage } from '../errors.js';
import { AnsiText } from './ansi-text.js';

const ROW_HEIGHT = 18;
/** Lines kept in the browser; older ones are dropped (and counted). */
const MAX_LINES = 200_000;

interface LogLine {
  stream: 'stdout' | 'stderr';
  text: string;
  index: number;
}

const LogRow = memo(function LogRow({ line, top }: { line: LogLine; top: number }) {
  return (
    <div
      className={`log-line log-${line.stream}`}
      data-testid="log-line"
      data-stream={line.stream}
      style={{ transform: `translateY(${top}px)` }}
    >
      <span className="log-gutter">{line.index + 1}</span>
      <span className="log-text">
        <AnsiText text={line.text} />
      </span>
    </div>
  );
});

/**
 * Live output of one process: lines appear as they arrive, stderr marked, ANSI colours rendered,
 * virtualized (only the visible rows are in the DOM), and the view follows the tail until the
 * user scrolls up.
 */
export function LogView({ processId }: { processId: string }) {
  const { lines, status, error, dropped, clear, reconnect } = useProcessLogs(processId, {
    maxLines: MAX_LINES,
    follow: true,
  });
  const scrollRef = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);

  const virtualizer = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (position) => lines[position]?.index ?? position,
    overscan: 30,
  });

  // Keep the newest line in view while following. `lines.length` is the trigger, unused in the body
  // (biome.json lets this file list such dependencies; missing ones are still errors).
  useLayoutEffect(() => {
    const element = scrollRef.current;
    if (following && element) element.scrollTop = element.scrollHeight;
  }, [lines.length, following]);

  const onScroll = useCallback(() => {
    const element = scrollRef.current;
    if (!element) return;
    const atBottom = element.scrollHeight - element.scrollTop - element.clientHeight <= ROW_HEIGHT * 2;
    setFollowing(atBottom);
  }, []);

  const jumpToEnd = useCallback(() => {
    setFollowing(true);
    const element = scrollRef.current;
    if (element) element.scrollTop = element.scrollHeight;
  }, []);

  return (
    <section className="log-panel" aria-label="Output">
      <div className="log-toolbar">
        <span className={`stream-state stream-${status}`} data-testid="log-status" data-status={status}>
          {status}
        </span>
        <span className="muted small" data-testid="log-count" data-count={lines.length}>
          {lines.length.toLocaleString()} lines
        </span>
        {dropped > 0 ? (
          <span className="muted small" data-testid="log-dropped">
            ({dropped.toLocaleString()} older lines dropped)
          </span>
        ) : null}
        <span className="legend small">
          <span className="legend-stdout">stdout</span>
          <span className="legend-stderr">stderr</span>
        </span>
        <span className="spacer" />
        {following ? (
          <span className="muted small" data-testid="log-following">
            following
          </span>
        ) : (
          <button type="button" className="small-button" data-testid="log-jump" onClick={jumpToEnd}>
            ↓ Paused · jump to latest
          </button>
        )}
        <button type="button" className="small-button" onClick={clear}>
          Clear
        </button>
      </div>
      {error ? (
        <p className="log-error" data-testid="log-error">
          {status === 'error' ? 'The log stream stopped: ' : null}
          {errorMessage(error)}
          {status === 'error' ? (
            // Resumes the shared stream from its cursor: no line lost or repeated.
            <button
              type="button"
              className="small-button log-reconnect"
              data-testid="log-reconnect"
              onClick={reconnect}
            >
              Reconnect
            </button>
          ) : null}
        </p>
      ) : null}
      <div className="log-scroll" ref={scrollRef} onScroll={onScroll} data-testid="log-view">
        {lines.length === 0 ? (
          <div className="log-empty">{status === 'ended' ? 'No output.' : 'Waiting for output…'}</div>
        ) : null}
        <div className="log-content" style={{ height: virtualizer.getTotalSize() }}>
          {virtualizer.getVirtualItems().map((item) => {
            const line = lines[item.index];
            return line ? <LogRow key={item.key} line={line} top={item.start} /> : null;
          })}
        </div>
      </div>
    </section>
  );
}
