/**
 * A CORS origin is compared exactly with the `Origin` header a browser sends: a scheme, a host and
 * a port only, lower case, without the scheme's default port or a trailing slash. Anything else
 * would never match, so the page would be refused with no hint why: it is refused at start.
 * Besides http(s), an app's or an extension's own scheme is an origin too (`tauri://localhost`,
 * `chrome-extension://<id>`, `moz-extension://<uuid>`), sent as written: `URL` serializes the origin
 * of such a scheme as `null`, so it is checked by its shape.
 */

/** `scheme://host[:port]` in lower case, a scheme other than http(s) (which `URL` checks). */
const APP_ORIGIN = /^(?!https?:)[a-z][a-z0-9+.-]*:\/\/[a-z0-9-]+(\.[a-z0-9-]+)*(:\d{1,5})?$/;

/**
 * Throws an error that names `name` (the option or the flag), the value, and the origin it should
 * be, unless `value` is an http(s) origin as a browser writes it, or an app's origin of that shape.
 */
export function checkCorsOrigin(value: string, name: string): void {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  const isWebOrigin = url !== undefined && (url.protocol === 'http:' || url.protocol === 'https:');
  if (isWebOrigin ? url?.origin === value : APP_ORIGIN.test(value)) return;
  const hint = isWebOrigin ? `did you mean ${url?.origin}?` : 'such as http://localhost:5173';
  throw new Error(
    `invalid ${name} '${value}': an origin is a scheme, a host and a port, as a browser sends it in its Origin header (${hint})`,
  );
}
