/**
 * `@sandproc/core/server`: helpers for server-side code only (Node, Deno, Bun, edge functions with
 * `process.env`). This is the one module of the package that reads the environment; browser
 * bundles never import it.
 */
export { createBlaxelClientFromEnv, readBlaxelEnv } from './blaxel-env.js';
export type { BlaxelEnvOptions, BlaxelEnv } from './blaxel-env.js';
