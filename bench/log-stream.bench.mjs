// streamLogs throughput of @sandproc/core against a bare fetch + TextDecoder line split of the same
// `/process/{id}/logs/stream`, on the same local server, in the same run.
import { alternate, report } from './harness.mjs';

const LINES = 100_000;
const ROUNDS = 9;

/** The baseline: what a hand-written client does, with no reconnect, cursor or keepalive logic. */
async function bareStream(baseUrl, token, pid) {
  const response = await fetch(`${baseUrl}/process/${pid}/logs/stream`, {
    headers: { Authorization: `Bearer ${token}` },
  });
  if (!response.ok) throw new Error(`stream answered ${response.status}`);
  const decoder = new TextDecoder();
  let buffer = '';
  let count = 0;
  const countLines = (text) => {
    for (const line of text.split('\n')) if (line.startsWith('stdout:') || line.startsWith('stderr:')) count++;
  };
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk, { stream: true });
    const last = buffer.lastIndexOf('\n');
    if (last === -1) continue;
    countLines(buffer.slice(0, last));
    buffer = buffer.slice(last + 1);
  }
  countLines(buffer + decoder.decode());
  return count;
}

// The client is given what `exec` answered (a finished process): like the baseline, it then reads
// the log to its end and nothing more. Given only a pid, it asks the server once at the end whether
// the process is over and its output whole (`GET /process/{id}`): the third line measures that form.
async function coreStream(client, process) {
  let count = 0;
  for await (const record of client.process.streamLogs(process)) if (record.text.length >= 0) count++;
  return count;
}

/** The unmeasured check of both forms: every line, in order, each record's index its position. */
async function checkOrder(client, process) {
  const expected = (index) => `line ${index + 1} of the benchmark output`;
  let iterated = 0;
  for await (const record of client.process.streamLogs(process)) {
    if (record.index !== iterated || record.text !== expected(iterated))
      throw new Error(`for await: record ${iterated} is ${JSON.stringify(record)}`);
    iterated++;
  }
  let called = 0;
  await client.process.streamLogs(process, {
    onRecord: (record) => {
      if (record.index !== called || record.text !== expected(called))
        throw new Error(`onRecord: record ${called} is ${JSON.stringify(record)}`);
      called++;
    },
  }).done;
  return Math.min(iterated, called);
}

/** The same stream with an `onRecord` callback instead of the async iterator (what observers use). */
async function coreCallbacks(client, process) {
  let count = 0;
  await client.process.streamLogs(process, { onRecord: (record) => record.text.length >= 0 && count++ }).done;
  return count;
}

export async function run({ core, server }) {
  const client = core.createClient({ baseUrl: server.url, token: server.token });
  const started = await client.process.exec({
    command: `awk 'BEGIN { for (i = 1; i <= ${LINES}; i++) print "line " i " of the benchmark output" }'`,
    waitForCompletion: true,
  });
  for (const [name, count] of [
    ['baseline', await bareStream(server.url, server.token, started.pid)],
    ['core', await coreStream(client, started)],
    ['core by pid', await coreStream(client, started.pid)],
    ['core callbacks', await coreCallbacks(client, started)],
    ['core, in order', await checkOrder(client, started)],
  ]) {
    if (count !== LINES) throw new Error(`${name} stream saw ${count} lines, expected ${LINES}`);
  }
  const linesPerSecond = (ms) => `${Math.round((LINES / ms) * 1000).toLocaleString('en-US')} lines/s`;
  const ratios = [];
  for (const [title, subject, process] of [
    [`streamLogs, ${LINES.toLocaleString('en-US')}-line backlog (for await)`, coreStream, started],
    [`streamLogs, ${LINES.toLocaleString('en-US')}-line backlog (onRecord)`, coreCallbacks, started],
    [`streamLogs by pid, ${LINES.toLocaleString('en-US')} lines (for await)`, coreStream, started.pid],
  ]) {
    // Every measured run must read every line, or its time means nothing.
    const counted = (read) => async () => {
      const count = await read();
      if (count !== LINES) throw new Error(`a measured run read ${count} lines, expected ${LINES}`);
    };
    const samples = await alternate({
      rounds: ROUNDS,
      baseline: counted(() => bareStream(server.url, server.token, started.pid)),
      subject: counted(() => subject(client, process)),
    });
    ratios.push(report(title, samples, { perUnit: linesPerSecond }));
  }
  return ratios;
}
