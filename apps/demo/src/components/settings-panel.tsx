import { useLayoutEffect, useRef, useState, type FormEvent } from 'react';
import { DEFAULT_SETTINGS, type DemoSettings } from '../settings.js';

interface SettingsPanelProps {
  settings: DemoSettings;
  onSave(settings: DemoSettings | null): void;
  onClose(): void;
}

/**
 * Points the demo at another sandbox: a URL and a token (for example a Blaxel sandbox and a
 * preview token minted by your backend). Both are kept in this browser's localStorage only.
 */
export function SettingsPanel({ settings, onSave, onClose }: SettingsPanelProps) {
  const [baseUrl, setBaseUrl] = useState(settings.baseUrl);
  const [token, setToken] = useState(settings.token);
  const [tokenHeader, setTokenHeader] = useState(settings.tokenHeader);
  const [error, setError] = useState<string | null>(null);
  const dialogRef = useRef<HTMLDialogElement>(null);

  // A modal dialog: the page behind is inert, focus goes to the first field (the URL), Escape cancels.
  useLayoutEffect(() => {
    const dialog = dialogRef.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);

  function submit(event: FormEvent) {
    event.preventDefault();
    const trimmed = baseUrl.trim() || DEFAULT_SETTINGS.baseUrl;
    try {
      new URL(trimmed, window.location.href);
    } catch {
      setError('Not a valid URL');
      return;
    }
    onSave({ baseUrl: trimmed, token: token.trim(), tokenHeader });
    onClose();
  }

  return (
    <dialog
      ref={dialogRef}
      className="dialog"
      aria-label="Sandbox settings"
      data-testid="settings-panel"
      // Escape closes, as a click on the backdrop does (that click targets the dialog itself: the form fills it).
      onKeyDown={(event) => {
        if (event.key !== 'Escape') return;
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === event.currentTarget) onClose();
      }}
      // Any other close request: the app unmounts the dialog (closing it here would leave it mounted, closed).
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <form className="dialog-form" onSubmit={submit}>
        <h2>Sandbox</h2>
        <p className="muted">
          By default the demo talks to the local sandbox through its own server (<code>/sandbox</code>), which adds the
          token for you. To use another sandbox, enter its URL and a token: they are stored in this browser only.
        </p>
        <label>
          Sandbox URL
          <input
            data-testid="settings-url"
            value={baseUrl}
            onChange={(event) => setBaseUrl(event.target.value)}
            placeholder="/sandbox or https://…"
            spellCheck={false}
          />
        </label>
        <label>
          Token
          <input
            data-testid="settings-token"
            type="password"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            placeholder="empty for the local proxy"
            autoComplete="off"
          />
        </label>
        <label>
          Send the token as
          <select
            value={tokenHeader}
            onChange={(event) => setTokenHeader(event.target.value as DemoSettings['tokenHeader'])}
          >
            <option value="authorization">Authorization: Bearer …</option>
            <option value="x-blaxel-preview-token">X-Blaxel-Preview-Token (Blaxel preview/session token)</option>
          </select>
        </label>
        {error ? <p className="form-error">{error}</p> : null}
        <div className="dialog-actions">
          <button
            type="button"
            data-testid="settings-reset"
            onClick={() => {
              onSave(null);
              onClose();
            }}
          >
            Use the local sandbox
          </button>
          <span className="spacer" />
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="primary" data-testid="settings-save">
            Save
          </button>
        </div>
      </form>
    </dialog>
  );
}
