import type { ServerResponse } from 'node:http';

/**
 * Writes `data` to a response; resolves true when more may be written (at once, or once the
 * socket drained), false if the client left. Answers built piece by piece this way hold one
 * piece of memory per slow client, not the whole answer.
 */
export function pacedWrite(response: ServerResponse, data: string | Buffer): Promise<boolean> {
  if (response.destroyed) return Promise.resolve(false);
  if (response.write(data)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onDrain = (): void => {
      response.off('close', onClose);
      resolve(true);
    };
    const onClose = (): void => {
      response.off('drain', onDrain);
      resolve(false);
    };
    response.once('drain', onDrain);
    response.once('close', onClose);
  });
}
