/**
 * `fetch` wrappers that change log-stream responses on the way (test-only): a body that ends
 * NORMALLY after a marker (an intermediary closing it cleanly), a body the test breaks when it wants,
 * and a gate that holds stream requests back until the test opens it.
 */

const urlOf = (input: RequestInfo | URL) => (input instanceof Request ? input.url : String(input));

/** The body of `response` up to and including the first `marker`, then a normal end. */
export function endCleanlyAfter(response: Response, marker: string): Response {
  const reader = response.body!.getReader();
  let seen = '';
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) return controller.close();
      const text = new TextDecoder().decode(value); // ASCII in these tests
      const at = (seen + text).indexOf(marker);
      if (at < 0) {
        seen += text;
        return controller.enqueue(value);
      }
      controller.enqueue(value.subarray(0, at + marker.length - seen.length));
      controller.close();
      await reader.cancel();
    },
  });
  return new Response(body, { status: response.status, headers: response.headers });
}

/** Log-stream requests seen, and controls over them. */
export interface StreamControl {
  fetch: typeof fetch;
  /** Paths (with query) of the stream requests, in order. */
  readonly paths: string[];
  /** Breaks the body of the first stream (as a dropped connection). */
  cut(): void;
  /** Holds every stream request after the first until `open()`. */
  hold(): void;
  open(): void;
}

export function streamControl(): StreamControl {
  const paths: string[] = [];
  let fail: ((error: Error) => void) | undefined;
  let gate: Promise<void> | undefined;
  let release = () => {};
  const wrapped: typeof fetch = async (input, init) => {
    const url = new URL(urlOf(input));
    if (!url.pathname.endsWith('/logs/stream')) return fetch(input, init);
    paths.push(url.pathname + url.search);
    const first = paths.length === 1;
    if (!first) await gate;
    const response = await fetch(input, init);
    if (!first) return response;
    const reader = response.body!.getReader();
    const failed = new Promise<never>((_, reject) => (fail = reject));
    failed.catch(() => {});
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await Promise.race([reader.read(), failed]);
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          controller.error(error);
          void reader.cancel().catch(() => {});
        }
      },
    });
    return new Response(body, { status: response.status, headers: response.headers });
  };
  return {
    fetch: wrapped,
    paths,
    cut: () => fail?.(new TypeError('terminated')),
    hold: () => (gate = new Promise((resolve) => (release = resolve))),
    open: () => release(),
  };
}

/** A `fetch` that hands the n-th `/logs/stream` response to `change` (the others pass unchanged). */
export function changeStreams(change: (response: Response, count: number) => Response): typeof fetch {
  let count = 0;
  return async (input, init) => {
    const response = await fetch(input, init);
    return new URL(urlOf(input)).pathname.endsWith('/logs/stream') ? change(response, count++) : response;
  };
}
