/** Reads a request body as text within a byte budget, without buffering more than the budget. */

/** The body was larger than the budget; nothing past the budget was read. */
export const BODY_TOO_LARGE = Symbol('body too large');

/**
 * The body decoded as UTF-8, or {@link BODY_TOO_LARGE} as soon as more than `maxBytes` bytes have
 * arrived (a declared `Content-Length` over the budget is refused before reading anything). The
 * body is read as a stream, so a chunked request without `Content-Length` is cut off at the
 * budget instead of being read wholly into memory; the limit counts bytes, not characters.
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string | typeof BODY_TOO_LARGE> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) return BODY_TOO_LARGE;
  if (!request.body) return '';
  const reader = request.body.getReader();
  const decoder = new TextDecoder();
  let received = 0;
  let text = '';
  for (;;) {
    const chunk = await reader.read();
    if (chunk.done) break;
    received += chunk.value.byteLength;
    if (received > maxBytes) {
      // Stop reading: the rest of the body is never pulled into memory.
      reader.cancel().catch(() => {});
      return BODY_TOO_LARGE;
    }
    text += decoder.decode(chunk.value, { stream: true });
  }
  return text + decoder.decode();
}
