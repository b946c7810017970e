/**
 * A `fetch` in front of a server that sends `ETag`s (ours) that removes them from every answer:
 * a server without them, as the real sandbox-api, where every poll is a `200` with a new body.
 */
export function withoutEntityTags(realFetch: typeof fetch = (input, init) => fetch(input, init)): typeof fetch {
  return async (input, init) => {
    const response = await realFetch(input, init);
    const headers = new Headers(response.headers);
    headers.delete('etag');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}
