import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './testing/test-server.js';

const LINES = 200_000;
const EXPECTED = Array.from({ length: LINES }, (_, index) => `${index + 1}\n`).join('');
let sandbox: TestServer;
beforeAll(async () => {
  sandbox = await startTestServer({ outputMemoryBytes: 64 * 1024 * 1024, totalOutputMemoryBytes: 256 * 1024 * 1024 });
});
afterAll(async () => {
  await sandbox.server.close();
});

describe('the end of output', () => {
  it('keeps every line a command prints right before it exits', async () => {
    for (let attempt = 0; attempt < 4; attempt++) {
      const { json } = await sandbox.exec({ command: `seq 1 ${LINES}`, waitForCompletion: true });
      expect(json.status).toBe('completed');
      const logs = await sandbox.request<{ stdout: string }>('GET', `/process/${json.pid}/logs`);
      expect(logs.json.stdout.length).toBe(EXPECTED.length);
      expect(logs.json.stdout === EXPECTED).toBe(true);
    }
  });
});
