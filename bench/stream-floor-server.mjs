// The floor of the intake bench: an HTTP server that sends the log stream of `seq 1 N` from memory,
// prepared before it listens (no command, no disk, no prefixing while it runs), so that the time a
// reader takes to read it is what the wire format itself costs. Prints `listening on URL`.
import { createServer } from 'node:http';

const lines = Number(process.argv[2]);
const CHUNK_BYTES = 256 * 1024;
const chunks = [];
let pending = [];
let pendingBytes = 0;
for (let line = 1; line <= lines; line++) {
  const text = `stdout:${line}\n`;
  pending.push(text);
  pendingBytes += text.length;
  if (pendingBytes >= CHUNK_BYTES) {
    chunks.push(Buffer.from(pending.join('')));
    pending = [];
    pendingBytes = 0;
  }
}
if (pending.length > 0) chunks.push(Buffer.from(pending.join('')));

const server = createServer((_request, response) => {
  response.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
  let index = 0;
  const send = () => {
    while (index < chunks.length) {
      if (!response.write(chunks[index++])) return void response.once('drain', send);
    }
    response.end();
  };
  send();
});
server.listen(0, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
