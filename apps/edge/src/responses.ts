/** JSON responses of the edge function, every error as `{"error": "..."}` like the sandbox API. */
import { isSandprocError } from '@sandproc/core';

const JSON_HEADERS = { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' };

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { ...JSON_HEADERS, ...headers } });
}

export function errorResponse(status: number, message: string, headers: Record<string, string> = {}): Response {
  return jsonResponse(status, { error: message }, headers);
}

/** What went wrong talking to the sandbox, safe to show a caller (no stack, no credentials). */
export function describeUpstreamError(error: unknown): { error: string; kind?: string; status?: number } {
  if (isSandprocError(error)) {
    const status = (error as { status?: unknown }).status;
    return {
      error: `sandbox request failed: ${error.message}`,
      kind: error.kind,
      ...(typeof status === 'number' ? { status } : {}),
    };
  }
  return { error: `sandbox request failed: ${error instanceof Error ? error.message : String(error)}` };
}

/** A failure of the sandbox (unreachable, refused, unexpected answer) is a 502 Bad Gateway. */
export function upstreamErrorResponse(error: unknown): Response {
  return jsonResponse(502, describeUpstreamError(error));
}
