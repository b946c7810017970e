import { createClient } from '@sandproc/core';
import { SandprocProvider, useExec } from '@sandproc/react';
import { useState } from 'react';

// Same origin: the dev server's /sandbox proxy adds the token (vite.config.ts). No token here.
const client = createClient({ baseUrl: new URL('/sandbox', window.location.href).href });

function RunCommand() {
  const [command, setCommand] = useState('for i in 1 2 3 4 5; do echo "step $i"; sleep 1; done');
  const { exec, status, process, error, stop, logs } = useExec({ logs: true });
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
      {status === 'running' && (
        <button type="button" onClick={() => void stop()}>
          Stop
        </button>
      )}
      <p data-testid="status">
        {status}
        {process && !busy ? ` (exit code ${process.exitCode})` : ''}
      </p>
      {error !== undefined && error !== null && <p role="alert">{String(error)}</p>}
      <pre data-testid="output">{logs.text}</pre>
    </form>
  );
}

export function App() {
  return (
    <SandprocProvider client={client}>
      <RunCommand />
    </SandprocProvider>
  );
}
