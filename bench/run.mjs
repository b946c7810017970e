// `pnpm bench`: starts a local sandbox server and runs each benchmark against it. Every benchmark
// prints ratios (subject / baseline, > 1 = slower) against a baseline measured in the same run.
// Nothing here asserts on time; a benchmark only fails if the two sides disagree on the result.
// `BENCH_ONLY=intake` runs just the intake through the server CLI, `BENCH_ONLY=processes` just the
// server with many processes.
import { importBuilt } from './harness.mjs';
import * as execLatency from './exec-latency.bench.mjs';
import * as logStream from './log-stream.bench.mjs';
import * as manyProcesses from './many-processes.bench.mjs';
import * as serverOutput from './server-output.bench.mjs';

// `BENCH_ONLY=intake pnpm bench` runs only the intake through the server CLI (a quick loop while tuning it).
// biome-ignore lint/suspicious/noUndeclaredEnvVars: the bench runs after turbo's build, not as a turbo task
if (process.env.BENCH_ONLY === 'intake') {
  await serverOutput.runIntake();
  process.exit(0);
}
// biome-ignore lint/suspicious/noUndeclaredEnvVars: as above
if (process.env.BENCH_ONLY === 'processes') {
  await manyProcesses.run();
  process.exit(0);
}
const core = await importBuilt('core');
const { createSandboxServer } = await importBuilt('server');
const server = await createSandboxServer({ port: 0 });
console.log(`sandproc bench: node ${process.version}, server ${server.url}\n`);
try {
  await logStream.run({ core, server });
  await execLatency.run({ core, server });
  await serverOutput.run({ core, server });
  await manyProcesses.run();
} finally {
  await server.close();
}
