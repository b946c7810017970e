import { useInsertionEffect, useRef } from 'react';

/**
 * A ref that always holds the value of the last committed render, so callbacks given to the
 * hooks are never stale. `useInsertionEffect` runs before any other effect and not on the server.
 */
export function useLatest<T>(value: T): { readonly current: T } {
  const ref = useRef(value);
  useInsertionEffect(() => {
    ref.current = value;
  });
  return ref;
}
