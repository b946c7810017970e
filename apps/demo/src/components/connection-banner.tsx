import type { ErrorCategory } from '../errors.js';

interface ConnectionBannerProps {
  category: ErrorCategory | null;
  target: string;
  message: string | null;
  onRetry(): void;
  onOpenSettings(): void;
}

/** The page-wide states: the sandbox does not answer, or it refuses our credentials. */
export function ConnectionBanner({ category, target, message, onRetry, onOpenSettings }: ConnectionBannerProps) {
  if (category === 'unreachable') {
    return (
      <div className="banner banner-error" role="alert" data-testid="banner-unreachable">
        <strong>Sandbox server not reachable.</strong> Nothing answers at <code>{target}</code>; the demo keeps
        trying and recovers on its own once the server is back.
        {message ? <span className="banner-detail">{message}</span> : null}
        <span className="banner-actions">
          <button type="button" onClick={onRetry}>
            Retry now
          </button>
          <button type="button" onClick={onOpenSettings}>
            Settings
          </button>
        </span>
      </div>
    );
  }
  if (category === 'unauthorized') {
    return (
      <div className="banner banner-warning" role="alert" data-testid="banner-unauthorized">
        <strong>Unauthorized.</strong> The sandbox at <code>{target}</code> refused the token. Check it in the
        settings.
        <span className="banner-actions">
          <button type="button" onClick={onOpenSettings}>
            Open settings
          </button>
        </span>
      </div>
    );
  }
  return null;
}
