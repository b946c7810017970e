/** Distinct origins and hosts remembered so that each is reported once; past it, refusals go unreported. */
const REMEMBERED_LIMIT = 100;
/** Longest header value quoted in a report (the rest is cut). */
const QUOTED_LIMIT = 200;

/** Reports requests refused by the Origin and Host checks, once per distinct value, with the fix. */
export interface RefusalReport {
  origin(origin: string): void;
  host(host: string | undefined): void;
}

/**
 * Makes the report of refused requests: each distinct origin or host is reported once, as one
 * line that says what would let it through. A CORS mistake otherwise shows in the browser only as
 * an opaque network error. `report` undefined: nothing is reported.
 */
export function createRefusalReport(report: ((message: string) => void) | undefined): RefusalReport {
  const seen = new Set<string>();
  const once = (key: string, message: () => string): void => {
    if (!report || seen.has(key) || seen.size >= REMEMBERED_LIMIT) return;
    seen.add(key);
    try {
      report(message());
    } catch {
      // A failing reporter must not fail the request.
    }
  };
  return {
    origin: (origin) => {
      const quoted = printable(origin);
      once(
        `origin ${origin}`,
        () =>
          `refused a request from origin ${quoted} (403 forbidden origin): to let pages of that origin call this server, ` +
          `start it with --cors-origin ${quoted} (option corsOrigins), or call it through a same-origin proxy`,
      );
    },
    host: (host) => {
      const quoted = host === undefined || host.length === 0 ? '(none)' : printable(host);
      once(
        `host ${host ?? ''}`,
        () =>
          `refused a request for Host ${quoted} (403 forbidden host, DNS-rebinding protection): call the server as ` +
          `127.0.0.1 or localhost, or by the address it listens on (--host)`,
      );
    },
  };
}

/** Header text safe to write into a log line: printable ASCII only, bounded. */
function printable(value: string): string {
  const cleaned = value.replace(/[^\x20-\x7e]/g, '?');
  return cleaned.length > QUOTED_LIMIT ? `${cleaned.slice(0, QUOTED_LIMIT)}…` : cleaned;
}
