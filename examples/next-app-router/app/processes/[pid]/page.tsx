import { isNotFoundError, type ProcessInfo } from '@sandproc/core';
import { notFound } from 'next/navigation';
import { sandbox } from '../../../lib/sandbox';
import { ProcessView } from './process-view';

export const dynamic = 'force-dynamic';

/**
 * A Server Component: it reads the process on the server and renders its state into the HTML
 * (`initialData`); in the browser, the hooks go on from that state without a loading flash.
 */
export default async function ProcessPage({ params }: { params: Promise<{ pid: string }> }) {
  const { pid } = await params;
  let process: ProcessInfo;
  try {
    process = await sandbox.process.get(pid);
  } catch (error) {
    if (isNotFoundError(error)) notFound();
    throw error;
  }
  return <ProcessView pid={pid} initialData={process} />;
}
