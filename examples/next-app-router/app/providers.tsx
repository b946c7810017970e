'use client';

import { createClient } from '@sandproc/core';
import { SandprocProvider } from '@sandproc/react';
import { useState, type ReactNode } from 'react';

/** The browser's client: it talks to this app's proxy route, never to the sandbox, and holds no token. */
export function Providers({ children }: { children: ReactNode }) {
  // The hooks make no request while rendering on the server, so any absolute URL does there.
  const [client] = useState(() =>
    createClient({
      baseUrl: `${typeof window === 'undefined' ? 'http://localhost' : window.location.origin}/api/sandbox`,
    }),
  );
  return <SandprocProvider client={client}>{children}</SandprocProvider>;
}
