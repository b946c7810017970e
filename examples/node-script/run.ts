/**
 * Runs a command in a sandbox and prints its output live, then starts a long-running process,
 * waits until it says it is ready, and stops it.
 *
 *   SANDPROC_TOKEN=... npm start            (SANDPROC_URL defaults to http://127.0.0.1:8080)
 */
import { createClient, isSandprocError, waitForLog } from '@sandproc/core';

const client = createClient({
  baseUrl: process.env.SANDPROC_URL ?? 'http://127.0.0.1:8080',
  token: process.env.SANDPROC_TOKEN,
});

async function main(): Promise<void> {
  // 1. Run a command to its end, line by line as it prints. A non-zero exit is a result.
  const finished = await client.process.exec(
    {
      command:
        'echo "node $(node --version)"; for i in 1 2 3; do echo "step $i"; sleep 0.2; done; echo oops >&2; exit 3',
      waitForCompletion: true,
    },
    {
      onStdout: (line) => console.log(`  out | ${line}`),
      onStderr: (line) => console.log(`  err | ${line}`),
    },
  );
  console.log(`finished: ${finished.status}, exit code ${finished.exitCode}`);

  // 2. A long-running process: wait for its "ready" line, then stop it.
  const server = await client.process.exec({ command: 'sleep 0.5; echo "ready on port 3000"; sleep 600' });
  const ready = await waitForLog(client, server.pid, /ready on port \d+/, { maxWaitMs: 30_000 });
  console.log(`server said: ${ready.text}`);
  await client.process.stop(server.pid);
  console.log(`server: ${(await client.process.wait(server.pid)).status}`);
}

main().catch((error: unknown) => {
  // Branch on `kind` (or the is…Error guards), never on `error.name`.
  if (isSandprocError(error) && error.kind === 'unauthorized') {
    console.error('The sandbox refused the token: set SANDPROC_TOKEN to the token of the server.');
  } else if (isSandprocError(error) && error.kind === 'network') {
    console.error('No sandbox answered: start one with `npx sandproc-server`, or set SANDPROC_URL.');
  } else {
    console.error(error);
  }
  process.exitCode = 1;
});
