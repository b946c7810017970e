/** vitest global setup: says once per run when the reference lane is skipped. */
import { findReferenceBinary, referenceSkipLine } from '../../../server/test/reference/reference-server.js';

export default function setup(): void {
  if (findReferenceBinary() === undefined) console.log(referenceSkipLine('core reference lane'));
}
