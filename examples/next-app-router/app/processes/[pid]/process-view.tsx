'use client';

import type { ProcessInfo } from '@sandproc/core';
import { useProcess, useProcessLogs, useSandprocClient } from '@sandproc/react';
import Link from 'next/link';

/** A process's live state (`useProcess`, starting from the server's `initialData`) and output (`useProcessLogs`). */
export function ProcessView({ pid, initialData }: { pid: string; initialData: ProcessInfo }) {
  const client = useSandprocClient();
  const { process, status, exitCode, error } = useProcess(pid, { initialData });
  const { lines, status: streamStatus } = useProcessLogs(pid);
  return (
    <main>
      <p>
        <Link href="/">← all processes</Link>
      </p>
      <h1>{process?.command ?? pid}</h1>
      <p>
        <span data-testid="process-status">{status}</span>
        {exitCode !== null && <> · exit code {exitCode}</>}
        {status === 'running' && (
          <>
            {' '}
            <button type="button" onClick={() => void client.process.stop(pid)}>
              Stop
            </button>
          </>
        )}
      </p>
      {error !== undefined && error !== null && <p role="alert">{String(error)}</p>}
      <pre data-testid="process-output">
        {lines.map((line) => (
          <div key={line.index} style={line.stream === 'stderr' ? { color: 'crimson' } : undefined}>
            {line.text}
          </div>
        ))}
      </pre>
      <small>output: {streamStatus}</small>
    </main>
  );
}
