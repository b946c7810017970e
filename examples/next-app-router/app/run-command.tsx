'use client';

import { useExec } from '@sandproc/react';
import Link from 'next/link';
import { useState } from 'react';

/** Starts a command and shows its output as it arrives. */
export function RunCommand() {
  const [command, setCommand] = useState('for i in 1 2 3 4 5; do echo "step $i"; sleep 1; done');
  const { exec, status, process, error, logs } = useExec({ logs: true });
  const busy = status === 'starting' || status === 'running';
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        exec({ command }).catch(() => {}); // the error is also in `error`
      }}
    >
      <input aria-label="Command" value={command} onChange={(event) => setCommand(event.target.value)} size={60} />
      <button type="submit" disabled={busy}>
        Run
      </button>
      <p data-testid="run-status">
        {status}
        {process ? (
          <>
            {' '}
            · <Link href={`/processes/${process.pid}`}>process {process.pid}</Link>
          </>
        ) : null}
      </p>
      {error !== undefined && error !== null && <p role="alert">{String(error)}</p>}
      <pre data-testid="run-output">{logs.text}</pre>
    </form>
  );
}
