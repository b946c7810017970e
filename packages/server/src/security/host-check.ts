import { hostname, networkInterfaces } from 'node:os';

const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

/** True if `host` (a listen address) only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Builds the Host-header check that defeats DNS rebinding: only loopback names, the listen
 * address and (when listening on every interface) this machine's name and addresses pass.
 */
export function createHostCheck(listenHost: string): (hostHeader: string | undefined) => boolean {
  const allowed = new Set<string>(LOOPBACK_NAMES);
  const normalisedListen = listenHost.toLowerCase();
  allowed.add(stripBrackets(normalisedListen));
  if (WILDCARD_HOSTS.has(normalisedListen)) {
    allowed.add(hostname().toLowerCase());
    for (const addresses of Object.values(networkInterfaces())) {
      for (const address of addresses ?? []) allowed.add(address.address.toLowerCase());
    }
  }
  return (hostHeader) => {
    if (hostHeader === undefined || hostHeader.length === 0) return false;
    const name = hostWithoutPort(hostHeader.toLowerCase());
    return allowed.has(name) || allowed.has(stripBrackets(name)) || /^127\.\d+\.\d+\.\d+$/.test(name);
  };
}

function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.lastIndexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
