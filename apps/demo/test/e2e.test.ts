/**
 * The demo in a real headless Chromium (Debian's, driven by playwright-core) against a real local
 * sandbox server, through the demo server's `/sandbox` proxy (production build, `vite preview`).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createSandboxServer, type SandboxServer } from '@sandproc/server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { appRoot, buildDemo, startDemoServer, type DemoServer } from '../scripts/launch.js';
import { LOCAL_SANDBOX_OPTIONS } from '../scripts/local-sandbox.js';
import { CHROMIUM_PATH, HAS_CHROMIUM, IN_CI, launchChromium } from './chromium.js';

const OUTPUT_DIR = path.join(appRoot, 'test-output');
/** Bound of every wait for the page: generous, the machine is small and shared. */
const WAIT_MS = 30_000;
const TEST_MS = 90_000;

if (!HAS_CHROMIUM && IN_CI) {
  describe('demo in Chromium', () => {
    it('needs Chromium in CI', () => {
      throw new Error(
        `Chromium not found at ${CHROMIUM_PATH}: install it (apt-get install chromium) or set CHROMIUM_PATH`,
      );
    });
  });
}

describe.skipIf(!HAS_CHROMIUM)('demo in Chromium', () => {
  const token = randomBytes(24).toString('hex');
  let sandbox: SandboxServer;
  let sandboxPort: number;
  let demo: DemoServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const buildDir = mkdtempSync(path.join(tmpdir(), 'sandproc-demo-dist-'));

  beforeAll(async () => {
    // The demo's own sandbox options: room for every line of the 100k-lines preset.
    sandbox = await createSandboxServer({ ...LOCAL_SANDBOX_OPTIONS, port: 0, token });
    sandboxPort = sandbox.port;
    // A fresh production build (about a second) in a folder of its own: the test always sees the
    // current sources and packages, and never races another build writing `dist/`.
    await buildDemo({ outDir: buildDir });
    demo = await startDemoServer({
      mode: 'preview',
      sandboxUrl: sandbox.url,
      sandboxToken: token,
      port: 0,
      outDir: buildDir,
    });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 860 } });
    page.setDefaultTimeout(WAIT_MS);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(demo.url);
  }, 180_000);

  // On failure, keep what the page looked like for the CI logs/artifacts.
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || !page) return;
    mkdirSync(OUTPUT_DIR, { recursive: true });
    const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await page.screenshot({ path: path.join(OUTPUT_DIR, `failure-${name}.png`) }).catch(() => {});
    const rows = await page
      .$$eval('[data-testid^="process-row-"]', (elements) =>
        elements.map((element) => `${element.getAttribute('data-testid')} ${element.getAttribute('data-status')}`),
      )
      .catch(() => []);
    console.error(
      `[e2e] ${context.task.name} failed; rows: ${rows.join(', ')}; page errors: ${pageErrors.join(' | ')}`,
    );
  });

  afterAll(async () => {
    await browser?.close();
    await demo?.close();
    await sandbox?.close();
    rmSync(buildDir, { recursive: true, force: true });
  });

  /** Waits until the selected process shows `status`. */
  async function waitForStatus(status: string): Promise<void> {
    await page.waitForSelector(`[data-testid="process-status"][data-status="${status}"]`);
  }

  /** Runs a preset (or, with `prepare`, whatever `prepare` fills in) and waits until the new process is selected. */
  async function run(presetId: string, prepare?: () => Promise<void>): Promise<string> {
    const previous = await page.evaluate(
      () => document.querySelector('[data-testid="process-view"]')?.getAttribute('data-pid') ?? null,
    );
    await page.click(`[data-testid="preset-${presetId}"]`);
    await prepare?.();
    await page.click('[data-testid="run-button"]');
    // The new process gets selected: wait for a process view showing a different pid.
    const handle = await page.waitForFunction(
      (before) => {
        const pid = document.querySelector('[data-testid="process-view"]')?.getAttribute('data-pid');
        return pid && pid !== before ? pid : null;
      },
      previous,
      { timeout: WAIT_MS },
    );
    return (await handle.jsonValue()) as string;
  }

  it('loads and connects to the local sandbox through the proxy', { timeout: TEST_MS }, async () => {
    await page.waitForSelector('[data-testid="connection-status"][data-state="connected"]');
    await page.waitForSelector('[data-testid="process-list-empty"]');
    // The header shows how the sandbox contains commands, as its /health reports it.
    await page.waitForSelector(`[data-testid="containment-badge"][data-containment="${sandbox.options.containment}"]`);
  });

  it('shows the ticking loop line by line while it runs, then completed with exit code 0', {
    timeout: TEST_MS,
  }, async () => {
    const pid = await run('ticker');
    // A line of output and the `running` status at the same instant: lines arrive before the end.
    await page.waitForFunction(() => {
      const status = document.querySelector('[data-testid="process-status"]')?.getAttribute('data-status');
      const lines = [...document.querySelectorAll('[data-testid="log-line"]')].map((line) => line.textContent ?? '');
      return status === 'running' && lines.some((text) => text.includes('tick 1 '));
    });
    await page.waitForSelector(`[data-testid="process-row-${pid}"][data-status="running"]`);
    // ANSI colours rendered as styled spans, not escape codes.
    const tick = await page.textContent('[data-testid="log-line"] .ansi-green-fg');
    expect(tick).toBe('tick');
    expect(await page.textContent('[data-testid="log-view"]')).not.toContain('\u001b');

    await waitForStatus('completed');
    expect(await page.textContent('[data-testid="process-exit-code"]')).toBe('0');
    await page.waitForSelector(`[data-testid="process-row-${pid}"][data-status="completed"]`);
    await page.waitForSelector('[data-testid="log-status"][data-status="ended"]');
    // stderr lines are told apart from stdout lines.
    const stderr = await page.$$eval('[data-testid="log-line"][data-stream="stderr"]', (lines) =>
      lines.map((line) => line.textContent),
    );
    expect(stderr.some((text) => text?.includes('warn 4 (stderr)'))).toBe(true);
    const stdout = await page.$$eval('[data-testid="log-line"][data-stream="stdout"]', (lines) =>
      lines.map((line) => line.textContent),
    );
    expect(stdout.some((text) => text?.includes('done'))).toBe(true);
  });

  it('shows a failing command as failed with its exit code', { timeout: TEST_MS }, async () => {
    const pid = await run('fail');
    await waitForStatus('failed');
    expect(await page.textContent('[data-testid="process-exit-code"]')).toBe('3');
    await page.waitForSelector(`[data-testid="process-row-${pid}"][data-status="failed"]`);
    await page.waitForSelector('[data-testid="log-line"][data-stream="stderr"] >> text=something broke');
  });

  it('kills a long-running server started with waitForPorts', { timeout: TEST_MS }, async () => {
    const pid = await run('server');
    await waitForStatus('running');
    await page.waitForSelector('[data-testid="log-line"] >> text=/listening on \\d+/');
    await page.click('[data-testid="kill-button"]');
    await waitForStatus('killed');
    await page.waitForSelector(`[data-testid="process-row-${pid}"][data-status="killed"]`);
  });

  it('runs a custom command with a name, and stops it', { timeout: TEST_MS }, async () => {
    const pid = await run('ls', async () => {
      await page.fill('[data-testid="command-input"]', 'echo sleeping; sleep 300');
      if (!(await page.isVisible('[data-testid="option-name"]'))) await page.click('[data-testid="toggle-options"]');
      await page.fill('[data-testid="option-name"]', 'e2e-sleeper');
    });
    await waitForStatus('running');
    expect(await page.textContent('[data-testid="process-name"]')).toBe('e2e-sleeper');
    await page.waitForSelector('[data-testid="log-line"] >> text=sleeping');
    await page.click('[data-testid="stop-button"]');
    await waitForStatus('stopped');
    await page.waitForSelector(`[data-testid="process-row-${pid}"][data-status="stopped"]`);
  });

  it('has no horizontal scroll on a phone (390 px) or a small window (800 px), even with long commands', {
    timeout: TEST_MS,
  }, async () => {
    const longWord = `${'x'.repeat(40)}/${'very-long-path-segment-'.repeat(12)}`;
    await run('ls', async () => {
      await page.fill('[data-testid="command-input"]', `echo ${longWord} ${'and many words '.repeat(20)}`);
    });
    await waitForStatus('completed');
    try {
      for (const width of [390, 800]) {
        await page.setViewportSize({ width, height: 844 });
        await page.waitForFunction((expected) => window.innerWidth === expected, width);
        const overflow = await page.evaluate(() => {
          const root = document.documentElement;
          // For the failure message: what sticks out, outside the boxes that scroll by design (the log).
          const clipped = (element: Element) => {
            for (let parent = element.parentElement; parent; parent = parent.parentElement) {
              if (getComputedStyle(parent).overflowX !== 'visible') return true;
            }
            return false;
          };
          const wide = [...document.querySelectorAll('body *')]
            .filter((element) => element.getBoundingClientRect().right > root.clientWidth + 1 && !clipped(element))
            .map(
              (element) =>
                `${element.tagName.toLowerCase()}.${[...element.classList].join('.')} "${(element.textContent ?? '').slice(0, 30)}"`,
            );
          return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide: wide.slice(0, 5) };
        });
        expect(overflow.scrollWidth, `${width} px: ${overflow.wide.join(', ')}`).toBeLessThanOrEqual(
          overflow.clientWidth,
        );
        mkdirSync(OUTPUT_DIR, { recursive: true });
        await page.screenshot({ path: path.join(OUTPUT_DIR, `demo-${width}px.png`), fullPage: true });
      }
    } finally {
      await page.setViewportSize({ width: 1360, height: 860 });
    }
  });

  it('shows why a command could not start (missing working directory)', { timeout: TEST_MS }, async () => {
    await page.click('[data-testid="preset-ls"]');
    if (!(await page.isVisible('[data-testid="option-workdir"]'))) await page.click('[data-testid="toggle-options"]');
    await page.fill('[data-testid="option-workdir"]', '/does/not/exist');
    await page.click('[data-testid="run-button"]');
    await page.waitForSelector('[data-testid="exec-error"] >> text=/does not exist/');
    await page.fill('[data-testid="option-workdir"]', '');
  });

  it('restarts a failing command on failure and shows the restart count', { timeout: TEST_MS }, async () => {
    await run('fail', async () => {
      await page.fill('[data-testid="command-input"]', 'echo attempt; exit 1');
      if (!(await page.isVisible('[data-testid="option-restart"]'))) await page.click('[data-testid="toggle-options"]');
      await page.check('[data-testid="option-restart"]');
      await page.fill('[aria-label="Max restarts"]', '2');
    });
    await page.waitForSelector('[data-testid="process-restarts"] >> text="2 / 2"');
    await waitForStatus('failed');
    expect(await page.textContent('[data-testid="process-exit-code"]')).toBe('1');
  });

  it('sends stdin to cat and shows it echoed, then closes stdin', { timeout: TEST_MS }, async () => {
    await run('cat');
    await waitForStatus('running');
    await page.fill('[data-testid="stdin-input"]', 'hello from the browser');
    await page.press('[data-testid="stdin-input"]', 'Enter');
    await page.waitForSelector('[data-testid="log-line"][data-stream="stdout"] >> text=hello from the browser');
    await page.click('[data-testid="stdin-close"]');
    await waitForStatus('completed');
  });

  it('says so when a process does not exist', { timeout: TEST_MS }, async () => {
    await page.evaluate(() => {
      window.location.hash = '#/process/999999';
    });
    await page.waitForSelector('[data-testid="process-not-found"]');
  });

  it('takes a screenshot of the ticking loop', { timeout: TEST_MS }, async () => {
    await page.click('[data-testid="preset-ticker"]');
    if (await page.isVisible('[data-testid="option-name"]')) await page.click('[data-testid="toggle-options"]');
    const row = page.locator('[data-testid^="process-row-"]', { hasText: 'tick' });
    await row.first().click();
    await page.waitForSelector('[data-testid="log-line"] >> text=done');
    mkdirSync(OUTPUT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(OUTPUT_DIR, 'demo.png') });
  });

  it('keeps 100,000 lines virtualized, following the tail until the user scrolls up', {
    timeout: TEST_MS,
  }, async () => {
    await run('flood');
    await waitForStatus('completed');
    await page.waitForSelector('[data-testid="log-count"][data-count="100000"]');
    // The sandbox kept every line (no "older lines dropped" notice).
    expect(await page.$('[data-testid="log-dropped"]')).toBeNull();
    // Following: the last line is in view; only the visible rows (plus overscan) are in the DOM.
    await page.waitForSelector('[data-testid="log-line"] >> text=line 100000 of 100000');
    expect(await page.$$eval('[data-testid="log-line"]', (rows) => rows.length)).toBeLessThan(300);
    await page.waitForSelector('[data-testid="log-following"]');

    await page.hover('[data-testid="log-view"]');
    await page.mouse.wheel(0, -3000);
    await page.waitForSelector('[data-testid="log-jump"]');
    await page.evaluate(() => {
      document.querySelector('[data-testid="log-view"]')!.scrollTop = 0;
    });
    await page.waitForSelector('[data-testid="log-line"] >> text=line 000001 of 100000');
    expect(await page.$$eval('[data-testid="log-line"]', (rows) => rows.length)).toBeLessThan(300);

    await page.click('[data-testid="log-jump"]');
    await page.waitForSelector('[data-testid="log-following"]');
    await page.waitForSelector('[data-testid="log-line"] >> text=line 100000 of 100000');
  });

  it('never exposes the sandbox token to the page', { timeout: TEST_MS }, async () => {
    expect(await page.content()).not.toContain(token);
    const storage = await page.evaluate(() => JSON.stringify({ ...window.localStorage, ...window.sessionStorage }));
    expect(storage).not.toContain(token);
    const files = readdirSync(buildDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) expect(readFileSync(path.join(file.parentPath, file.name), 'utf8')).not.toContain(token);
  });

  it('offers Reconnect once the log stream has given up, and follows the output again', {
    timeout: 180_000,
  }, async () => {
    // Every log-stream request fails in the browser (the sandbox stays up): the stream retries
    // (8 attempts, about 25 s of backoff) and ends in `error`.
    const streams = '**/process/*/logs/stream**';
    await page.route(streams, (route) => route.abort());
    try {
      await run('ls', async () => {
        await page.fill('[data-testid="command-input"]', 'for i in $(seq 1 600); do echo "beat $i"; sleep 0.5; done');
      });
      await waitForStatus('running');
      await page.waitForSelector('[data-testid="log-status"][data-status="error"]', { timeout: 120_000 });
      await page.waitForSelector('[data-testid="log-reconnect"]');
    } finally {
      await page.unroute(streams);
    }
    await page.click('[data-testid="log-reconnect"]');
    // A fresh stream from the start: lines again, live, and the action gone.
    await page.waitForSelector('[data-testid="log-line"] >> text=beat 1');
    await page.waitForSelector('[data-testid="log-status"][data-status="streaming"]');
    await page.waitForSelector('[data-testid="log-reconnect"]', { state: 'detached' });
    await page.click('[data-testid="kill-button"]');
    await waitForStatus('killed');
  });

  it('shows "not reachable" while the sandbox is down and recovers when it is back on the same port', {
    timeout: TEST_MS,
  }, async () => {
    await sandbox.close();
    await page.waitForSelector('[data-testid="banner-unreachable"]');
    await page.waitForSelector('[data-testid="connection-status"][data-state="unreachable"]');

    sandbox = await createSandboxServer({ ...LOCAL_SANDBOX_OPTIONS, port: sandboxPort, token });
    await page.click('[data-testid="banner-unreachable"] >> text=Retry now', { timeout: 2000 }).catch(() => {
      // The banner may already be gone if a poll got through first.
    });
    await page.waitForSelector('[data-testid="connection-status"][data-state="connected"]');
    await page.waitForSelector('[data-testid="banner-unreachable"]', { state: 'detached' });
    // A fresh server: the old processes are gone.
    await page.waitForSelector('[data-testid="process-list-empty"]');
  });

  it('points at another sandbox from the settings, and shows "unauthorized" for a wrong token', {
    timeout: TEST_MS,
  }, async () => {
    const origin = new URL(demo.url).origin;
    const other = await createSandboxServer({ port: 0, token: 'right-token', corsOrigins: [origin] });
    try {
      await page.click('[data-testid="settings-button"]');
      await page.fill('[data-testid="settings-url"]', other.url);
      await page.fill('[data-testid="settings-token"]', 'wrong-token');
      await page.click('[data-testid="settings-save"]');
      await page.waitForSelector('[data-testid="banner-unauthorized"]');
      await page.waitForSelector('[data-testid="connection-status"][data-state="unauthorized"]');

      await page.click('[data-testid="settings-button"]');
      await page.fill('[data-testid="settings-token"]', 'right-token');
      await page.click('[data-testid="settings-save"]');
      await page.waitForSelector('[data-testid="connection-status"][data-state="connected"]');
      await run('ls');
      await waitForStatus('completed');
      expect(other.stats().processes).toBe(1);

      await page.click('[data-testid="settings-button"]');
      await page.click('[data-testid="settings-reset"]');
      await page.waitForSelector('[data-testid="target-url"] >> text=/sandbox');
      await page.waitForSelector('[data-testid="connection-status"][data-state="connected"]');
    } finally {
      await other.close();
    }
  });

  it('opens the settings as a modal dialog on the URL field, which Escape or a click beside it closes', {
    timeout: TEST_MS,
  }, async () => {
    const panel = '[data-testid="settings-panel"]';
    await page.click('[data-testid="settings-button"]');
    await page.waitForSelector(panel);
    expect(await page.$eval(panel, (dialog) => dialog.matches('dialog:modal'))).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))).toBe('settings-url');
    await page.keyboard.press('Escape');
    await page.waitForSelector(panel, { state: 'detached' });

    await page.click('[data-testid="settings-button"]');
    await page.waitForSelector(panel);
    await page.click(`${panel} input[data-testid="settings-url"]`); // a click inside keeps it open
    expect(await page.$(panel)).not.toBeNull();
    await page.mouse.click(5, 5); // the backdrop, above the dialog
    await page.waitForSelector(panel, { state: 'detached' });
    // The presets are a named group of buttons (a fieldset).
    await page.getByRole('group', { name: 'Presets' }).getByRole('button', { name: 'Quick ls' }).waitFor();
  });

  it('in proxy mode, says to restart the demo when the sandbox refuses the demo server token', {
    timeout: TEST_MS,
  }, async () => {
    const wrongToken = await startDemoServer({
      mode: 'preview',
      sandboxUrl: sandbox.url,
      sandboxToken: 'not-the-token',
      port: 0,
      outDir: buildDir,
    });
    const otherPage = await browser.newPage();
    otherPage.setDefaultTimeout(WAIT_MS);
    try {
      await otherPage.goto(wrongToken.url);
      await otherPage.waitForSelector('[data-testid="connection-status"][data-state="unauthorized"]');
      const banner = await otherPage.waitForSelector('[data-testid="banner-unauthorized"][data-proxy="true"]');
      expect(await banner.textContent()).toContain('npm run demo');
      // The settings cannot fix the proxy's token: the banner does not send the user there.
      expect(await banner.textContent()).not.toContain('Open settings');
    } finally {
      await otherPage.close();
      await wrongToken.close();
    }
  });

  it('shows the message of a list error that is neither "not reachable" nor "unauthorized"', {
    timeout: TEST_MS,
  }, async () => {
    const otherPage = await browser.newPage();
    otherPage.setDefaultTimeout(WAIT_MS);
    try {
      await otherPage.route('**/sandbox/process', (route) =>
        route.request().method() === 'GET'
          ? route.fulfill({ status: 500, contentType: 'application/json', body: '{"error":"the disk is on fire"}' })
          : route.continue(),
      );
      await otherPage.goto(demo.url);
      await otherPage.waitForSelector('[data-testid="connection-status"][data-state="error"]');
      await otherPage.waitForSelector('[data-testid="banner-error-message"] >> text=the disk is on fire');
    } finally {
      await otherPage.close();
    }
  });

  it('works from the dev server too (what `pnpm start` serves)', { timeout: TEST_MS }, async () => {
    // Its own dependency cache: a `pnpm start` running meanwhile must not share (and race on) ours.
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'sandproc-demo-vite-'));
    const dev = await startDemoServer({ mode: 'dev', sandboxUrl: sandbox.url, sandboxToken: token, port: 0, cacheDir });
    const devPage = await browser.newPage();
    devPage.setDefaultTimeout(WAIT_MS);
    try {
      await devPage.goto(dev.url);
      await devPage.waitForSelector('[data-testid="connection-status"][data-state="connected"]');
      await devPage.click('[data-testid="preset-ls"]');
      await devPage.click('[data-testid="run-button"]');
      await devPage.waitForSelector('[data-testid="process-status"][data-status="completed"]');
      await devPage.waitForSelector('[data-testid="log-line"] >> text=package.json');
    } catch (error) {
      mkdirSync(OUTPUT_DIR, { recursive: true });
      await devPage.screenshot({ path: path.join(OUTPUT_DIR, 'failure-dev-server.png') }).catch(() => {});
      throw error;
    } finally {
      await devPage.close();
      await dev.close();
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('threw no uncaught errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
