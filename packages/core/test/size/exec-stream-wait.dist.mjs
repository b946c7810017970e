// Bundle-budget entry on the BUILT package (see .size-limit.json): the same app as
// exec-stream-wait.ts, importing the ESM build a bundler resolves from the packed package
// (`files: ["dist"]`, `exports["."].import`), not the sources.
import { createClient } from '../../dist/index.js';

export async function runTests(baseUrl, token) {
  const client = createClient({ baseUrl, token });
  const started = await client.process.exec({ command: 'npm test' });
  for await (const record of client.process.streamLogs(started.pid)) console.log(record.text);
  console.log(await client.process.wait(started.pid));
}
