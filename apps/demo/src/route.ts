import { useCallback, useSyncExternalStore } from 'react';

/** The selected process lives in the URL hash (`#/process/<pid or name>`), so views can be linked and reloaded. */
const PREFIX = '#/process/';

function read(): string | null {
  const hash = window.location.hash;
  if (!hash.startsWith(PREFIX)) return null;
  const id = decodeURIComponent(hash.slice(PREFIX.length));
  return id || null;
}

function subscribe(listener: () => void): () => void {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
}

export function useSelectedProcessId(): [string | null, (id: string | null) => void] {
  const id = useSyncExternalStore(subscribe, read, () => null);
  const select = useCallback((next: string | null) => {
    window.location.hash = next ? PREFIX + encodeURIComponent(next) : '';
  }, []);
  return [id, select];
}
