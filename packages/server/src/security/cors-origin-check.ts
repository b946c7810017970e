/**
 * A CORS origin is compared exactly with the `Origin` header a browser sends: a scheme, a host and
 * a port only, lower case, without the scheme's default port or a trailing slash. Anything else
 * would never match, so the page would be refused with no hint why: it is refused at start.
 */

/**
 * Throws an error that names `name` (the option or the flag), the value, and the origin it should
 * be, unless `value` is an http(s) origin as a browser writes it.
 */
export function checkCorsOrigin(value: string, name: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const isWebOrigin = url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:');
  if (isWebOrigin && url?.origin === value) return;
  const hint = isWebOrigin ? `did you mean ${url?.origin}?` : 'such as http://localhost:5173';
  throw new Error(
    `invalid ${name} '${value}': an origin is a scheme, a host and a port, as a browser sends it in its Origin header (${hint})`,
  );
}
