/**
 * A Cloudflare Worker that runs a command in a sandbox and streams its output back as it arrives.
 *
 *   curl -N localhost:8787 -d '{"command": "for i in 1 2 3; do echo $i; sleep 1; done"}'
 *
 * The sandbox's token is a Worker secret: callers never see it.
 */
import { createClient, isSandprocError } from '@sandproc/core';

export interface Env {
  /** The sandbox process API, e.g. a local `sandproc-server` or a sandbox's URL. */
  SANDBOX_URL: string;
  /** Its token: a secret (`wrangler secret put SANDBOX_TOKEN`). */
  SANDBOX_TOKEN: string;
}

/** The part of the Worker's `ExecutionContext` used here. */
interface Context {
  waitUntil(promise: Promise<unknown>): void;
}

export default {
  async fetch(request: Request, env: Env, context: Context): Promise<Response> {
    if (request.method !== 'POST')
      return Response.json({ error: 'POST a JSON body {"command": "..."}' }, { status: 405 });
    const body = (await request.json().catch(() => null)) as { command?: unknown } | null;
    const command = body?.command;
    if (typeof command !== 'string' || command.trim() === '') {
      return Response.json({ error: '"command" must be a non-empty string' }, { status: 400 });
    }

    const client = createClient({ baseUrl: env.SANDBOX_URL, token: env.SANDBOX_TOKEN });
    let pid: string;
    try {
      pid = (await client.process.exec({ command })).pid;
    } catch (error) {
      // Typed errors: `kind` says what went wrong (unauthorized, network, unprocessable…).
      const kind = isSandprocError(error) ? error.kind : 'unknown';
      return Response.json({ error: `the sandbox did not start the command (${kind})` }, { status: 502 });
    }

    // One line per output line ("stdout: …" / "stderr: …"), then "exit N". The stream resumes
    // exactly once across dropped connections and stops when the caller goes away.
    const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
    const writer = writable.getWriter();
    const encoder = new TextEncoder();
    const write = (line: string) => writer.write(encoder.encode(`${line}\n`));
    const follow = async () => {
      try {
        for await (const record of client.process.streamLogs(pid, { signal: request.signal })) {
          await write(`${record.stream}: ${record.text}`);
        }
        const final = await client.process.get(pid);
        await write(`exit ${final.exitCode} (${final.status})`);
      } catch (error) {
        // The caller went away: stop the command too. Otherwise say what failed.
        if (request.signal.aborted) await client.process.kill(pid).catch(() => {});
        else await write(`error: ${error instanceof Error ? error.message : String(error)}`).catch(() => {});
      } finally {
        await writer.close().catch(() => {});
      }
    };
    context.waitUntil(follow());
    return new Response(readable, { headers: { 'content-type': 'text/plain; charset=utf-8', 'x-sandbox-pid': pid } });
  },
};
