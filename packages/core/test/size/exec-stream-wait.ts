// Bundle-budget entry (see .size-limit.json; exec-stream-wait.dist.mjs is the same on the build): an app that runs a command, follows its output and
// waits for it. Everything else (observers, Blaxel helper, unused errors) must be tree-shaken away.
import { createClient } from '../../src/index.js';

export async function runTests(baseUrl: string, token: string): Promise<void> {
  const client = createClient({ baseUrl, token });
  const started = await client.process.exec({ command: 'npm test' });
  for await (const record of client.process.streamLogs(started.pid)) console.log(record.text);
  console.log(await client.process.wait(started.pid));
}
