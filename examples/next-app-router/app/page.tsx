import Link from 'next/link';
import { sandbox } from '../lib/sandbox';
import { RunCommand } from './run-command';

export const dynamic = 'force-dynamic';

/** A Server Component: it lists the processes on the server, with the server's client. */
export default async function Home() {
  const processes = await sandbox.process.list().catch(() => null);
  return (
    <main>
      <h1>sandproc + Next.js</h1>
      <RunCommand />
      <h2>Processes</h2>
      {processes === null ? (
        <p>The sandbox is not reachable: is it running, and is SANDPROC_TOKEN its token?</p>
      ) : (
        <ul>
          {processes.map((process) => (
            <li key={process.pid}>
              <Link href={`/processes/${process.pid}`}>{process.command}</Link> · {process.status}
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
