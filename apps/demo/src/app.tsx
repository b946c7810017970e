import { createClient, type ExecRequest } from '@sandproc/core';
import { SandprocProvider, useProcessList, useSandprocClient } from '@sandproc/react';
import { useCallback, useMemo, useState } from 'react';
import { CommandForm } from './components/command-form.js';
import { ConnectionBanner } from './components/connection-banner.js';
import { ContainmentBadge } from './components/containment-badge.js';
import { ProcessList } from './components/process-list.js';
import { ProcessView } from './components/process-view.js';
import { SettingsPanel } from './components/settings-panel.js';
import { categorize, errorMessage } from './errors.js';
import { useSelectedProcessId } from './route.js';
import { isProxyTarget, resolveBaseUrl, useSettings, type DemoSettings } from './settings.js';
import { rememberStdinProcess, stdinKey } from './stdin-processes.js';

function makeClient(settings: DemoSettings) {
  const baseUrl = resolveBaseUrl(settings.baseUrl);
  if (!settings.token) return createClient({ baseUrl });
  if (settings.tokenHeader === 'x-blaxel-preview-token') {
    return createClient({ baseUrl, headers: { 'X-Blaxel-Preview-Token': settings.token } });
  }
  return createClient({ baseUrl, token: settings.token });
}

export function App() {
  const [settings, saveSettings] = useSettings();
  const client = useMemo(() => makeClient(settings), [settings]);
  return (
    <SandprocProvider client={client}>
      <Demo settings={settings} onSaveSettings={saveSettings} />
    </SandprocProvider>
  );
}

interface DemoProps {
  settings: DemoSettings;
  onSaveSettings(settings: DemoSettings | null): void;
}

function Demo({ settings, onSaveSettings }: DemoProps) {
  const client = useSandprocClient();
  // Short backoff so the page notices a sandbox that is back within a few seconds.
  const list = useProcessList({ maxBackoffMs: 4000 });
  const [selectedId, select] = useSelectedProcessId();
  const [settingsOpen, setSettingsOpen] = useState(false);

  const category = categorize(list.error);
  // Any other failure of the list (not unreachable, not 401) is an `error` with its message,
  // rather than an endless "connecting…".
  const connection =
    category === null
      ? list.processes
        ? 'connected'
        : 'connecting'
      : category === 'unreachable' || category === 'unauthorized'
        ? category
        : 'error';
  const connectionLabel = {
    connected: 'connected',
    connecting: 'connecting…',
    unauthorized: 'unauthorized',
    unreachable: 'not reachable',
    error: 'error',
  }[connection];

  const onStarted = useCallback(
    (pid: string, request: ExecRequest) => {
      if (request.stdin) rememberStdinProcess(stdinKey(client.baseUrl, pid));
      select(pid);
      void list.refetch();
    },
    [client, select, list.refetch],
  );

  return (
    <div className="app">
      <header className="topbar">
        <h1>
          sandproc <span className="muted">demo</span>
        </h1>
        <span className={`connection connection-${connection}`} data-testid="connection-status" data-state={connection}>
          <span className="dot" />
          {connectionLabel}
        </span>
        <code className="target" title="Sandbox URL" data-testid="target-url">
          {isProxyTarget(settings) ? 'local sandbox (via /sandbox)' : settings.baseUrl}
        </code>
        <ContainmentBadge baseUrl={client.baseUrl} />
        <span className="spacer" />
        <button type="button" data-testid="settings-button" onClick={() => setSettingsOpen(true)}>
          Settings
        </button>
      </header>
      <ConnectionBanner
        category={category}
        target={client.baseUrl}
        message={list.error ? errorMessage(list.error) : null}
        viaProxy={isProxyTarget(settings)}
        onRetry={() => void list.refetch()}
        onOpenSettings={() => setSettingsOpen(true)}
      />
      <main className="layout">
        <aside className="sidebar">
          <CommandForm onStarted={onStarted} />
          <ProcessList processes={list.processes} selectedId={selectedId} onSelect={select} />
        </aside>
        <div className="main-pane">
          {selectedId ? (
            <ProcessView key={`${client.baseUrl} ${selectedId}`} processId={selectedId} onClose={() => select(null)} />
          ) : (
            <section className="card empty-state" data-testid="no-selection">
              <h2>Run a command</h2>
              <p className="muted">
                Pick a preset on the left and press <strong>Run</strong>, or choose a process from the list to watch its
                output live.
              </p>
            </section>
          )}
        </div>
      </main>
      {settingsOpen ? (
        <SettingsPanel settings={settings} onSave={onSaveSettings} onClose={() => setSettingsOpen(false)} />
      ) : null}
    </div>
  );
}
