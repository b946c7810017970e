/**
 * Browser tests of the examples: one headless Chromium per describe block (the demo's launcher),
 * a fresh page per test that collects its uncaught errors. Without Chromium the block is skipped
 * locally and fails in CI.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { CHROMIUM_PATH, HAS_CHROMIUM, IN_CI, launchChromium } from '../../apps/demo/test/chromium.js';

/** Bound of every wait for the page: generous, the machine is small and shared. */
const WAIT_MS = 30_000;

export interface OpenedPage {
  page: Page;
  /** Messages of the page's uncaught errors so far. */
  pageErrors: string[];
}

export function describeInChromium(name: string, body: (openPage: () => Promise<OpenedPage>) => void): void {
  if (!HAS_CHROMIUM && IN_CI) {
    describe(name, () => {
      it('needs Chromium in CI', () => {
        throw new Error(
          `Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
        );
      });
    });
    return;
  }
  describe.skipIf(!HAS_CHROMIUM)(name, () => {
    let browser: Browser | undefined;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => {
      await browser?.close();
    });
    body(async () => {
      if (!browser) throw new Error('Chromium did not start');
      const page = await browser.newPage();
      page.setDefaultTimeout(WAIT_MS);
      const pageErrors: string[] = [];
      page.on('pageerror', (error) => pageErrors.push(error.message));
      return { page, pageErrors };
    });
  });
}
