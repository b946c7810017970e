import type { IncomingMessage } from 'node:http';

/** True when the request's `If-None-Match` lists `tag` (or `*`); weak and strong forms compare equal. */
export function matchesIfNoneMatch(request: IncomingMessage, tag: string): boolean {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  const wanted = stripWeak(tag);
  return header.split(',').some((candidate) => {
    const trimmed = candidate.trim();
    return trimmed === '*' || stripWeak(trimmed) === wanted;
  });
}

function stripWeak(tag: string): string {
  return tag.startsWith('W/') ? tag.slice(2) : tag;
}
