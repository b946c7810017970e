import { useCallback, useSyncExternalStore } from 'react';

/** Where the demo sends its requests. Stored in localStorage, typed by the user: never in the bundle. */
export interface DemoSettings {
  /** Base URL of the sandbox API. Default `/sandbox`: the demo server's proxy to the local sandbox. */
  baseUrl: string;
  /** Token for a sandbox reached directly (empty for the proxy, which adds its own). */
  token: string;
  /** How the token is sent. */
  tokenHeader: 'authorization' | 'x-blaxel-preview-token';
}

export const DEFAULT_SETTINGS: DemoSettings = { baseUrl: '/sandbox', token: '', tokenHeader: 'authorization' };

const STORAGE_KEY = 'sandproc-demo:settings';
const listeners = new Set<() => void>();
let cached: { raw: string | null; value: DemoSettings } | undefined;

function read(): DemoSettings {
  let raw: string | null = null;
  try {
    raw = window.localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage disabled: keep the defaults.
  }
  if (cached && cached.raw === raw) return cached.value;
  let value = DEFAULT_SETTINGS;
  if (raw) {
    try {
      const parsed = JSON.parse(raw) as Partial<DemoSettings>;
      value = {
        baseUrl:
          typeof parsed.baseUrl === 'string' && parsed.baseUrl.trim()
            ? parsed.baseUrl.trim()
            : DEFAULT_SETTINGS.baseUrl,
        token: typeof parsed.token === 'string' ? parsed.token : '',
        tokenHeader: parsed.tokenHeader === 'x-blaxel-preview-token' ? 'x-blaxel-preview-token' : 'authorization',
      };
    } catch {
      // Corrupt entry: fall back to the defaults.
    }
  }
  cached = { raw, value };
  return value;
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  const onStorage = (event: StorageEvent) => {
    if (event.key === STORAGE_KEY) listener();
  };
  window.addEventListener('storage', onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener('storage', onStorage);
  };
}

export function useSettings(): [DemoSettings, (next: DemoSettings | null) => void] {
  const settings = useSyncExternalStore(subscribe, read, () => DEFAULT_SETTINGS);
  const save = useCallback((next: DemoSettings | null) => {
    try {
      if (next) window.localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
      else window.localStorage.removeItem(STORAGE_KEY);
    } catch {
      // Storage disabled: the change lasts until reload.
    }
    for (const listener of listeners) listener();
  }, []);
  return [settings, save];
}

/** The absolute URL the client uses (`/sandbox` → `http://this-host/sandbox`). */
export function resolveBaseUrl(baseUrl: string): string {
  return new URL(baseUrl, window.location.href).href.replace(/\/+$/, '');
}

export function isProxyTarget(settings: DemoSettings): boolean {
  return settings.baseUrl === DEFAULT_SETTINGS.baseUrl;
}
