import type { ExecRequest } from '@sandproc/core';
import { useExec } from '@sandproc/react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { errorMessage } from '../errors.js';
import { parseEnv } from '../format.js';
import { PRESETS, TICKING_LOOP } from '../presets.js';

interface CommandFormProps {
  /** Called with the pid of each process this form starts. */
  onStarted(pid: string, request: ExecRequest): void;
}

interface FormState {
  command: string;
  name: string;
  workingDir: string;
  env: string;
  timeout: string;
  waitForPorts: string;
  restartOnFailure: boolean;
  maxRestarts: string;
  stdin: boolean;
}

const EMPTY_FORM: FormState = {
  command: '',
  name: '',
  workingDir: '',
  env: '',
  timeout: '',
  waitForPorts: '',
  restartOnFailure: false,
  maxRestarts: '3',
  stdin: false,
};

function fromRequest(request: ExecRequest): FormState {
  return {
    ...EMPTY_FORM,
    command: request.command,
    name: request.name ?? '',
    workingDir: request.workingDir ?? '',
    env: Object.entries(request.env ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join('\n'),
    timeout: request.timeout ? String(request.timeout) : '',
    waitForPorts: (request.waitForPorts ?? []).join(', '),
    restartOnFailure: request.restartOnFailure ?? false,
    maxRestarts: request.maxRestarts === undefined ? EMPTY_FORM.maxRestarts : String(request.maxRestarts),
    stdin: request.stdin ?? false,
  };
}

function toRequest(form: FormState): ExecRequest | { error: string } {
  const command = form.command.trim();
  if (!command) return { error: 'Enter a command' };
  const request: ExecRequest = { command };
  if (form.name.trim()) request.name = form.name.trim();
  if (form.workingDir.trim()) request.workingDir = form.workingDir.trim();
  const parsed = parseEnv(form.env);
  if ('error' in parsed) return parsed;
  if (Object.keys(parsed.env).length > 0) request.env = parsed.env;
  if (form.timeout.trim()) {
    const timeout = Number(form.timeout);
    if (!Number.isInteger(timeout) || timeout < 0) return { error: 'Timeout must be a whole number of seconds' };
    request.timeout = timeout;
  }
  if (form.waitForPorts.trim()) {
    const ports = form.waitForPorts
      .split(/[\s,]+/)
      .filter(Boolean)
      .map(Number);
    if (ports.some((port) => !Number.isInteger(port) || port <= 0 || port > 65_535))
      return { error: 'Ports must be numbers between 1 and 65535' };
    request.waitForPorts = ports;
  }
  if (form.restartOnFailure) {
    request.restartOnFailure = true;
    const maxRestarts = Number(form.maxRestarts);
    if (!Number.isInteger(maxRestarts)) return { error: 'Max restarts must be a whole number (negative = unlimited)' };
    request.maxRestarts = maxRestarts;
  }
  if (form.stdin) request.stdin = true;
  return request;
}

/** The command box: presets, the command and its options, and a Run button driven by `useExec`. */
export function CommandForm({ onStarted }: CommandFormProps) {
  const { exec, phase, startError, reset } = useExec();
  const [form, setForm] = useState<FormState>(() => fromRequest(TICKING_LOOP.request()));
  const [presetId, setPresetId] = useState<string | null>(TICKING_LOOP.id);
  const [formError, setFormError] = useState<string | null>(null);
  const [showOptions, setShowOptions] = useState(false);
  const onStartedRef = useRef(onStarted);
  useEffect(() => {
    onStartedRef.current = onStarted;
  });

  const pending = phase === 'starting';

  function update<K extends keyof FormState>(key: K, value: FormState[K]) {
    setForm((previous) => ({ ...previous, [key]: value }));
    setPresetId(null);
  }

  function choosePreset(id: string) {
    const preset = PRESETS.find((candidate) => candidate.id === id);
    if (!preset) return;
    const request = preset.request();
    setForm(fromRequest(request));
    setPresetId(id);
    setFormError(null);
    reset();
    if (request.waitForPorts || request.stdin || request.timeout) setShowOptions(true);
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const request = toRequest(form);
    if ('error' in request) {
      setFormError(request.error);
      return;
    }
    setFormError(null);
    try {
      const process = await exec(request);
      onStartedRef.current(process.pid, request);
    } catch {
      // Shown from the hook's `startError`.
    }
  }

  const preset = PRESETS.find((candidate) => candidate.id === presetId);
  // Only a failed start (`startError`); errors of later polls are in `pollError`, which the banner covers.
  const shownError = formError ?? (phase === 'error' ? errorMessage(startError) : null);

  return (
    <form className="card command-form" onSubmit={submit} data-testid="command-form">
      <fieldset className="presets" aria-label="Presets">
        {PRESETS.map((candidate) => (
          <button
            key={candidate.id}
            type="button"
            className={candidate.id === presetId ? 'chip chip-active' : 'chip'}
            data-testid={`preset-${candidate.id}`}
            title={candidate.description}
            onClick={() => choosePreset(candidate.id)}
          >
            {candidate.label}
          </button>
        ))}
      </fieldset>
      {preset ? <p className="muted small">{preset.description}</p> : null}
      <label className="field">
        <span>Command</span>
        <textarea
          data-testid="command-input"
          value={form.command}
          onChange={(event) => update('command', event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) void submit(event);
          }}
          rows={5}
          wrap="off"
          spellCheck={false}
        />
      </label>
      <button
        type="button"
        className="link"
        onClick={() => setShowOptions((value) => !value)}
        data-testid="toggle-options"
      >
        {showOptions ? '▾ Options' : '▸ Options'}
      </button>
      {showOptions ? (
        <div className="options">
          <label className="field">
            <span>Name</span>
            <input
              data-testid="option-name"
              value={form.name}
              onChange={(event) => update('name', event.target.value)}
              placeholder="proc-…"
            />
          </label>
          <label className="field">
            <span>Working directory</span>
            <input
              data-testid="option-workdir"
              value={form.workingDir}
              onChange={(event) => update('workingDir', event.target.value)}
              placeholder="~ or /tmp"
            />
          </label>
          <label className="field field-wide">
            <span>Environment (KEY=value per line)</span>
            <textarea
              data-testid="option-env"
              value={form.env}
              onChange={(event) => update('env', event.target.value)}
              rows={2}
              spellCheck={false}
            />
          </label>
          <label className="field">
            <span>Timeout (seconds)</span>
            <input
              data-testid="option-timeout"
              inputMode="numeric"
              value={form.timeout}
              onChange={(event) => update('timeout', event.target.value)}
              placeholder="none"
            />
          </label>
          <label className="field">
            <span>Wait for ports</span>
            <input
              data-testid="option-ports"
              value={form.waitForPorts}
              onChange={(event) => update('waitForPorts', event.target.value)}
              placeholder="e.g. 3000"
            />
          </label>
          <label className="check">
            <input
              type="checkbox"
              data-testid="option-restart"
              checked={form.restartOnFailure}
              onChange={(event) => update('restartOnFailure', event.target.checked)}
            />
            Restart on failure, at most
            <input
              className="tiny"
              value={form.maxRestarts}
              disabled={!form.restartOnFailure}
              onChange={(event) => update('maxRestarts', event.target.value)}
              aria-label="Max restarts"
            />
            times
          </label>
          <label className="check">
            <input
              type="checkbox"
              data-testid="option-stdin"
              checked={form.stdin}
              onChange={(event) => update('stdin', event.target.checked)}
            />
            Keep stdin open
          </label>
        </div>
      ) : null}
      {shownError ? (
        <p className="form-error" data-testid="exec-error">
          {shownError}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="primary" data-testid="run-button" disabled={pending}>
          {pending ? (form.waitForPorts ? 'Waiting for ports…' : 'Starting…') : 'Run'}
        </button>
        <span className="muted small">Ctrl+Enter</span>
      </div>
    </form>
  );
}
