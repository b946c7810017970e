/**
 * The messages of a 404 for a route this server does not have. A real Blaxel sandbox serves more
 * than the process API (its filesystem, network, watch, terminal and codegen routes); a client of
 * those (e.g. the official SDK's `sandbox.fs`) pointed at this server must read that these routes
 * are not served here, not a bare "not found" that looks like a missing file or process.
 */

/** First path segments of the Blaxel sandbox API's routes that this server does not serve. */
const UNSERVED_FAMILIES = new Set(['filesystem', 'filesystem-multipart', 'network', 'watch', 'terminal', 'codegen']);

const SERVED = 'the process API: /process… and /health';

/** The message for a path of the Blaxel sandbox API that is not served here, else undefined. */
export function unservedApiMessage(pathname: string): string | undefined {
  const family = pathname.split('/')[1] ?? '';
  if (!UNSERVED_FAMILIES.has(family)) return undefined;
  return `not found: ${pathname} is one of the Blaxel sandbox API's /${family} routes, which this local sandbox does not serve (it serves only ${SERVED})`;
}

/** The message for any other unknown route. */
export function unknownRouteMessage(method: string, pathname: string): string {
  return `not found: no route ${method} ${pathname} (this server serves ${SERVED})`;
}
