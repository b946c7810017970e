/**
 * Debian's Chromium driven headless by playwright-core (no browser download). Shared by the demo's
 * end-to-end test and the examples' browser tests.
 */
import { existsSync } from 'node:fs';
import { CHROMIUM_ARGS } from '@sandproc/test-utils';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM_PATH);
/** Without Chromium, browser tests are skipped locally and fail in CI. */
export const IN_CI = process.env.CI === 'true';

/** Headless Chromium with the flags a small container needs (no sandbox, no GPU, no background traffic). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
}
