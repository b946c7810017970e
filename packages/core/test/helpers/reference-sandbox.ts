/**
 * The lanes of tests that run against our server (strict and extended) and against the real one
 * (the reference server, found as `sandbox.ts` finds it: `SANDPROC_REFERENCE_SERVER` or the
 * checkout's sibling `shared/`). Skipped where the binary is absent.
 */
import net from 'node:net';
import { modes, startSandbox, type Mode, type Sandbox } from './sandbox.js';

/** Our server in both modes, and the reference server where it is installed. */
export type Lane = Mode;
export const lanes: Lane[] = modes;

/** A loopback port nothing listens on (taken, then released). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Our server in `lane`'s mode, or the reference server (which ignores `options`). */
export function startLane(lane: Lane, options?: Parameters<typeof startSandbox>[1]): Promise<Sandbox> {
  return startSandbox(lane, options);
}
