/** A `fetch` that records every request before calling the real one. */
export interface CountingFetch {
  /** Pass it as a client's `fetch` option. */
  fetch: typeof fetch;
  /** Every request made so far, as `METHOD /path`. */
  readonly requests: string[];
  /** Requests made so far with this method to this path. */
  count(method: string, path: string): number;
}

/** Wraps `realFetch` (the global `fetch` by default) so a test can count what a client sends. */
export function countingFetch(realFetch: typeof fetch = (input, init) => fetch(input, init)): CountingFetch {
  const requests: string[] = [];
  return {
    requests,
    fetch: (input, init) => {
      const request = new Request(input, init);
      requests.push(`${request.method.toUpperCase()} ${new URL(request.url).pathname}`);
      return realFetch(request);
    },
    count: (method, path) => requests.filter((request) => request === `${method} ${path}`).length,
  };
}
