/**
 * The browser's way to the sandbox: `/api/sandbox/<path>` is forwarded to `<SANDPROC_URL>/<path>`
 * with the token added here, on the server. Responses stream through (live logs).
 */
import type { NextRequest } from 'next/server';
import { SANDBOX_TOKEN, SANDBOX_URL } from '../../../../lib/sandbox';

export const dynamic = 'force-dynamic';

/** Response headers the client reads: the body's type, the log stream's cursor, `Date` (exec recovery), backoff hints. */
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'x-log-offset', 'date', 'retry-after'];

async function forward(request: NextRequest, { params }: { params: Promise<{ path: string[] }> }): Promise<Response> {
  // Only this app's pages may use the token: a page on another site must not run commands.
  const origin = request.headers.get('origin');
  if (origin !== null && new URL(origin).host !== request.headers.get('host')) {
    return Response.json({ error: 'cross-origin request refused' }, { status: 403 });
  }
  const { path } = await params;
  const target = `${SANDBOX_URL}/${path.map(encodeURIComponent).join('/')}${request.nextUrl.search}`;
  const hasBody = request.method !== 'GET' && request.method !== 'HEAD';
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: request.method,
      headers: {
        authorization: `Bearer ${SANDBOX_TOKEN}`,
        accept: request.headers.get('accept') ?? '*/*',
        ...(hasBody ? { 'content-type': request.headers.get('content-type') ?? 'application/json' } : {}),
      },
      body: hasBody ? await request.arrayBuffer() : undefined,
      signal: request.signal, // the browser went away: stop reading the sandbox too
      cache: 'no-store',
    });
  } catch {
    return Response.json({ error: 'the sandbox is not reachable' }, { status: 502 });
  }
  const headers = new Headers({ 'cache-control': 'no-store' });
  for (const name of FORWARDED_RESPONSE_HEADERS) {
    const value = upstream.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  return new Response(upstream.body, { status: upstream.status, headers });
}

export { forward as DELETE, forward as GET, forward as POST };
