/**
 * The flags every browser test launches Debian's Chromium with, headless in a small container: no
 * sandbox (root), no GPU, and no background traffic (this machine's closed network refuses it).
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
