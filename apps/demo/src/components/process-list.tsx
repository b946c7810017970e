import type { ProcessInfo } from '@sandproc/core';
import { formatTime } from '../format.js';
import { StatusBadge } from './status-badge.js';

interface ProcessListProps {
  processes: ProcessInfo[] | undefined;
  selectedId: string | null;
  onSelect(pid: string): void;
}

function newestFirst(a: ProcessInfo, b: ProcessInfo): number {
  return (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0) || Number(b.pid) - Number(a.pid);
}

/** Every process of the sandbox, newest first, with a status badge that follows the polls. */
export function ProcessList({ processes, selectedId, onSelect }: ProcessListProps) {
  const sorted = processes ? [...processes].sort(newestFirst) : undefined;
  return (
    <section className="card process-list" data-testid="process-list" aria-label="Processes">
      <h2>Processes {sorted ? <span className="count">{sorted.length}</span> : null}</h2>
      {sorted === undefined ? (
        <p className="muted small">Loading…</p>
      ) : sorted.length === 0 ? (
        <p className="muted small" data-testid="process-list-empty">
          No processes yet. Pick a preset and press Run.
        </p>
      ) : (
        <ul>
          {sorted.map((process) => (
            <li key={process.pid}>
              <button
                type="button"
                className={process.pid === selectedId || process.name === selectedId ? 'row row-selected' : 'row'}
                data-testid={`process-row-${process.pid}`}
                data-status={process.status}
                onClick={() => onSelect(process.pid)}
              >
                <StatusBadge status={process.status} />
                <span className="row-main">
                  <span className="row-name">{process.name}</span>
                  <code className="row-command">{process.command}</code>
                </span>
                <span className="row-meta">
                  <span>pid {process.pid}</span>
                  <span>{formatTime(process.startedAt)}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
