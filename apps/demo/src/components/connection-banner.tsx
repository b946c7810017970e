import type { ErrorCategory } from '../errors.js';

interface ConnectionBannerProps {
  category: ErrorCategory | null;
  target: string;
  message: string | null;
  /** The demo server's `/sandbox` proxy is the target: it holds the token, not the browser. */
  viaProxy: boolean;
  onRetry(): void;
  onOpenSettings(): void;
}

/**
 * The page-wide states: the sandbox does not answer, it refuses our credentials, or it answers
 * the process list with another error (shown with its message).
 */
export function ConnectionBanner({
  category,
  target,
  message,
  viaProxy,
  onRetry,
  onOpenSettings,
}: ConnectionBannerProps) {
  if (category === 'unreachable') {
    return (
      <div className="banner banner-error" role="alert" data-testid="banner-unreachable">
        <strong>Sandbox server not reachable.</strong> Nothing answers at <code>{target}</code>; the demo keeps trying
        and recovers on its own once the server is back.
        {message ? <span className="banner-detail">{message}</span> : null}
        <BannerActions onRetry={onRetry} onOpenSettings={onOpenSettings} />
      </div>
    );
  }
  if (category === 'unauthorized' && viaProxy) {
    // The token is the demo server's, added by its proxy: nothing in this page can change it.
    return (
      <div className="banner banner-warning" role="alert" data-testid="banner-unauthorized" data-proxy="true">
        <strong>Unauthorized.</strong> The local sandbox refused the token the demo server holds (the browser never sees
        it, so the settings cannot fix it). Restart <code>npm run demo</code> to start a fresh sandbox with a new token
        (with <code>--sandbox URL</code>, check <code>SANDPROC_TOKEN</code>).
        <BannerActions onRetry={onRetry} />
      </div>
    );
  }
  if (category === 'unauthorized') {
    return (
      <div className="banner banner-warning" role="alert" data-testid="banner-unauthorized">
        <strong>Unauthorized.</strong> The sandbox at <code>{target}</code> refused the token. Check it in the settings.
        <BannerActions onOpenSettings={onOpenSettings} settingsLabel="Open settings" />
      </div>
    );
  }
  if (category === 'other' || category === 'not-found') {
    return (
      <div className="banner banner-error" role="alert" data-testid="banner-error">
        <strong>The sandbox answered with an error.</strong> Listing the processes at <code>{target}</code> failed; the
        demo keeps trying.
        {message ? (
          <span className="banner-detail" data-testid="banner-error-message">
            {message}
          </span>
        ) : null}
        <BannerActions onRetry={onRetry} onOpenSettings={onOpenSettings} />
      </div>
    );
  }
  return null;
}

interface BannerActionsProps {
  onRetry?(): void;
  onOpenSettings?(): void;
  /** Text of the settings button. Default `Settings`. */
  settingsLabel?: string;
}

/** The buttons of a banner: retry the list now, and/or open the settings. */
function BannerActions({ onRetry, onOpenSettings, settingsLabel = 'Settings' }: BannerActionsProps) {
  return (
    <span className="banner-actions">
      {onRetry ? (
        <button type="button" onClick={onRetry}>
          Retry now
        </button>
      ) : null}
      {onOpenSettings ? (
        <button type="button" onClick={onOpenSettings}>
          {settingsLabel}
        </button>
      ) : null}
    </span>
  );
}
