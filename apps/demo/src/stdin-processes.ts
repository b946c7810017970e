import { useSyncExternalStore } from 'react';

/**
 * Processes this browser started with `stdin: true` (the Process object does not say so), so the
 * process view knows when to offer a stdin box. Kept in sessionStorage across reloads.
 */
const STORAGE_KEY = 'sandproc-demo:stdin-processes';
const listeners = new Set<() => void>();

function load(): ReadonlySet<string> {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return new Set(Array.isArray(parsed) ? parsed.filter((item): item is string => typeof item === 'string') : []);
  } catch {
    return new Set();
  }
}

let current: ReadonlySet<string> | undefined;

function getSnapshot(): ReadonlySet<string> {
  current ??= load();
  return current;
}

export function rememberStdinProcess(key: string): void {
  const next = new Set(getSnapshot());
  next.add(key);
  current = next;
  try {
    window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify([...next].slice(-200)));
  } catch {
    // Storage disabled: remembered until reload.
  }
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

const EMPTY: ReadonlySet<string> = new Set();

export function useStdinProcesses(): ReadonlySet<string> {
  return useSyncExternalStore(subscribe, getSnapshot, () => EMPTY);
}

/** Key of a process in this store: the sandbox it runs in and its pid. */
export function stdinKey(baseUrl: string, pid: string): string {
  return `${baseUrl} ${pid}`;
}
