import { useEffect, useState } from 'react';

/** How the local sandbox contains commands, as its `GET /health` reports it. */
type Containment = 'isolated' | 'namespace' | 'process-group';

const LABELS: Record<Containment, { text: string; title: string }> = {
  isolated: {
    text: 'isolated',
    title: 'Commands run in bubblewrap: host filesystem read-only, private HOME and /tmp, own PID namespace',
  },
  namespace: {
    text: 'not isolated',
    title:
      'Commands can write wherever the server user can; each runs in its own PID namespace and dies with the server',
  },
  'process-group': {
    text: 'not isolated',
    title: 'Commands can write wherever the server user can; process groups only (no PID namespaces here)',
  },
};

function isContainment(value: unknown): value is Containment {
  return value === 'isolated' || value === 'namespace' || value === 'process-group';
}

/**
 * Shows the sandbox's containment mode, read once per base URL from `/health` (which needs no
 * token). Shows nothing for a sandbox that does not report one (a Blaxel sandbox).
 */
export function ContainmentBadge({ baseUrl }: { baseUrl: string }) {
  const [containment, setContainment] = useState<Containment | undefined>(undefined);
  useEffect(() => {
    const controller = new AbortController();
    setContainment(undefined);
    fetch(`${baseUrl}/health`, { signal: controller.signal })
      .then((response) => (response.ok ? response.json() : undefined))
      .then((body: { containment?: unknown } | undefined) => {
        if (isContainment(body?.containment)) setContainment(body.containment);
      })
      .catch(() => undefined);
    return () => controller.abort();
  }, [baseUrl]);
  if (containment === undefined) return null;
  const label = LABELS[containment];
  return (
    <span
      className={`containment containment-${containment}`}
      title={label.title}
      data-testid="containment-badge"
      data-containment={containment}
    >
      {label.text}
    </span>
  );
}
