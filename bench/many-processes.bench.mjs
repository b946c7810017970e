// The server with thousands of processes: starting and ending commands while 1,000 others run,
// against the same with none running on the machine (measured before they start and after they
// end, bracketing the subject's rounds: a server that scanned every process of the host would slow
// down any server beside it too, so the baseline cannot run beside them), and how long the server
// takes from SIGTERM to its exit with them (every command killed, streams ended).
import { report, timed } from './harness.mjs';
import { exec, startServerProcess } from './server-output.bench.mjs';

const RUNNING = 1000;
const CONCURRENT = 10;
const ROUNDS = 9;

/** `CONCURRENT` commands at once, each started and waited for (`true`). */
async function execBatch(server) {
  const done = await Promise.all(
    Array.from({ length: CONCURRENT }, () => exec(server, { command: 'true', waitForCompletion: true })),
  );
  if (done.some((process) => process.status !== 'completed')) throw new Error('a command did not complete');
}

/** Milliseconds from SIGTERM to the server's exit. */
async function timeToExit(server) {
  const start = performance.now();
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.stop();
  await exited;
  return performance.now() - start;
}

/** `count` timed batches (wall and CPU of this process, as `alternate` records them). */
async function batches(server, count, into) {
  for (let round = 0; round < count; round++) {
    const { ms, cpuMs } = await timed(() => execBatch(server));
    into.push({ ms, cpuMs });
  }
}

export async function run() {
  const flags = ['--max-processes', String(RUNNING * 2)];
  const before = [];
  const during = [];
  const after = [];
  const busy = await startServerProcess(undefined, flags);
  let busyExitMs;
  try {
    await execBatch(busy); // warmup
    await batches(busy, Math.ceil(ROUNDS / 2), before);
    for (let started = 0; started < RUNNING; started += 100)
      await Promise.all(Array.from({ length: 100 }, () => exec(busy, { command: 'sleep 600' })));
    await batches(busy, ROUNDS, during);
  } finally {
    busyExitMs = await timeToExit(busy);
  }
  // The same on a fresh server once they are gone, and its exit with none running.
  const idle = await startServerProcess(undefined, flags);
  let idleExitMs;
  try {
    await execBatch(idle); // warmup
    await batches(idle, Math.floor(ROUNDS / 2), after);
  } finally {
    idleExitMs = await timeToExit(idle);
  }
  const baseline = [...before, ...after];
  report(`exec ${CONCURRENT} at once, ${RUNNING.toLocaleString('en-US')} processes running vs none (bracketing)`, {
    baseline: baseline.map((sample) => sample.ms),
    subject: during.map((sample) => sample.ms),
    cpu: { baseline: baseline.map((sample) => sample.cpuMs), subject: during.map((sample) => sample.cpuMs) },
  });
  console.log(
    `  SIGTERM to exit: ${busyExitMs.toFixed(0)} ms with ${RUNNING.toLocaleString('en-US')} processes running, ${idleExitMs.toFixed(0)} ms with none`,
  );
}
