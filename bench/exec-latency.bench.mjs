// Latency of @sandproc/core's exec (with waitForCompletion) and get against a raw fetch of the same
// endpoints, on the same local server, in the same run.
import { alternate, report } from './harness.mjs';

const ROUNDS = 40;

export async function run({ core, server }) {
  const client = core.createClient({ baseUrl: server.url, token: server.token });
  const headers = { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' };
  const request = { command: 'true', waitForCompletion: true };

  const rawExec = async () => {
    const response = await fetch(`${server.url}/process`, { method: 'POST', headers, body: JSON.stringify(request) });
    const body = await response.json();
    if (body.status !== 'completed') throw new Error(`raw exec ended ${body.status}`);
    return body;
  };
  const coreExec = async () => {
    const info = await client.process.exec(request);
    if (info.status !== 'completed') throw new Error(`core exec ended ${info.status}`);
    return info;
  };
  const ratios = [
    report(
      'exec true (waitForCompletion)',
      await alternate({ rounds: ROUNDS, warmup: 3, baseline: rawExec, subject: coreExec }),
    ),
  ];

  const { pid } = await coreExec();
  const rawGet = async () => (await fetch(`${server.url}/process/${pid}`, { headers })).json();
  const coreGet = () => client.process.get(pid);
  ratios.push(
    report('get one process', await alternate({ rounds: ROUNDS * 2, warmup: 5, baseline: rawGet, subject: coreGet })),
  );
  return ratios;
}
