/** The three servers a scenario runs against: the reference, ours in strict mode, ours in extended mode. */
import { createSandboxServer } from '../../src/create-sandbox-server.js';
import type { CompatibilityMode } from '../../src/options.js';
import { startReferenceServer } from '../reference/reference-server.js';

export type TargetName = 'reference' | CompatibilityMode;
export const TARGET_NAMES: readonly TargetName[] = ['reference', 'strict', 'extended'];

export interface Target {
  name: TargetName;
  url: string;
  stop(): Promise<void>;
}

/** Starts one target on 127.0.0.1 and a free port. Ours runs without a token, as the reference does. */
export async function startTarget(name: TargetName): Promise<Target> {
  if (name === 'reference') {
    const reference = await startReferenceServer();
    return { name, url: reference.url, stop: () => reference.stop() };
  }
  const server = await createSandboxServer({ port: 0, auth: false, compatibility: name });
  return { name, url: server.url, stop: () => server.close() };
}

export async function startTargets(): Promise<Target[]> {
  return await Promise.all(TARGET_NAMES.map((name) => startTarget(name)));
}
