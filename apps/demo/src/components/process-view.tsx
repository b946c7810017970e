import { useProcess, useSandprocClient } from '@sandproc/react';
import { useEffect, useState } from 'react';
import { categorize, errorMessage } from '../errors.js';
import { formatDuration, formatTime } from '../format.js';
import { stdinKey, useStdinProcesses } from '../stdin-processes.js';
import { LogView } from './log-view.js';
import { StatusBadge } from './status-badge.js';
import { StdinBox } from './stdin-box.js';

/** Re-renders every `intervalMs` while `active`, for live durations. */
function useNow(active: boolean, intervalMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}

interface ProcessViewProps {
  processId: string;
  onClose(): void;
}

/** Everything about one process: its state, Stop/Kill, stdin, and the live log. */
export function ProcessView({ processId, onClose }: ProcessViewProps) {
  const client = useSandprocClient();
  const { process, status, exitCode, error, isLoading, refetch } = useProcess(processId);
  const stdinProcesses = useStdinProcesses();
  const [action, setAction] = useState<'stop' | 'kill' | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const running = status === 'running';
  const now = useNow(running);

  // A new process: no error of the last one's action. `processId` is the trigger, unused in the body
  // (biome.json lets this file list such dependencies; missing ones are still errors).
  useEffect(() => {
    setActionError(null);
  }, [processId]);

  const category = categorize(error);
  if (!process && category === 'not-found') {
    return (
      <section className="card process-view empty-state" data-testid="process-not-found">
        <h2>Process not found</h2>
        <p className="muted">
          There is no process <code>{processId}</code> in this sandbox. It may belong to a server that has since
          restarted.
        </p>
        <button type="button" onClick={onClose}>
          Back to the list
        </button>
      </section>
    );
  }
  if (!process) {
    return (
      <section className="card process-view empty-state" data-testid="process-loading">
        <p className="muted">{isLoading || !error ? 'Loading…' : errorMessage(error)}</p>
      </section>
    );
  }

  async function signal(kind: 'stop' | 'kill') {
    setAction(kind);
    setActionError(null);
    try {
      if (kind === 'stop') await client.process.stop(processId);
      else await client.process.kill(processId);
    } catch (caught) {
      setActionError(errorMessage(caught));
    } finally {
      setAction(null);
      void refetch();
    }
  }

  const started = process.startedAt;
  const duration = started ? (process.completedAt ?? (running ? new Date(now) : null))?.getTime() : undefined;
  const hasStdin = stdinProcesses.has(stdinKey(client.baseUrl, process.pid));

  return (
    <section className="card process-view" data-testid="process-view" data-pid={process.pid}>
      <header className="process-header">
        <div>
          <h2>
            <span data-testid="process-name">{process.name}</span> <span className="muted">· pid {process.pid}</span>
          </h2>
          <code className="process-command" data-testid="process-command">
            {process.command}
          </code>
        </div>
        <div className="process-actions">
          <button
            type="button"
            data-testid="stop-button"
            disabled={!running || action !== null}
            onClick={() => void signal('stop')}
          >
            {action === 'stop' ? 'Stopping…' : 'Stop'}
          </button>
          <button
            type="button"
            className="danger"
            data-testid="kill-button"
            disabled={!running || action !== null}
            onClick={() => void signal('kill')}
          >
            {action === 'kill' ? 'Killing…' : 'Kill'}
          </button>
        </div>
      </header>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <StatusBadge status={status} testId="process-status" />
          </dd>
        </div>
        <div>
          <dt>Exit code</dt>
          <dd data-testid="process-exit-code">{running ? '—' : exitCode}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatTime(started)}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd data-testid="process-duration">
            {started && duration !== undefined ? formatDuration(duration - started.getTime()) : '—'}
          </dd>
        </div>
        <div>
          <dt>Restarts</dt>
          <dd data-testid="process-restarts">
            {process.restartCount}
            {process.restartOnFailure ? ` / ${process.maxRestarts < 0 ? '∞' : process.maxRestarts}` : ''}
          </dd>
        </div>
        <div>
          <dt>Directory</dt>
          <dd>{process.workingDir || <span className="muted">default</span>}</dd>
        </div>
      </dl>
      {category === 'not-found' ? (
        <p className="notice" data-testid="process-gone">
          This process no longer exists on the server (it may have restarted); showing its last known state.
        </p>
      ) : null}
      {actionError ? (
        <p className="form-error" data-testid="action-error">
          {actionError}
        </p>
      ) : null}
      {hasStdin ? <StdinBox processId={process.pid} disabled={!running} /> : null}
      <LogView key={process.pid} processId={process.pid} />
    </section>
  );
}
