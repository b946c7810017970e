/**
 * examples/next-app-router, installed from the packed packages: `next build` (which type-checks),
 * then `next start` in front of a local sandbox. The token stays on the server; a Server Component
 * renders a process into the HTML; in Chromium a command's output shows up live.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createClient } from '@sandproc/core';
import { createSandboxServer, type SandboxServer } from '@sandproc/server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeInChromium } from './in-chromium.js';
import { installExample, startCommand, type ExampleProject, type LongRunningCommand } from './example-project.js';

/** No telemetry (the tests send traffic to loopback only). */
const NEXT_ENV = { NEXT_TELEMETRY_DISABLED: '1' };

describe('examples/next-app-router', () => {
  let project: ExampleProject;
  let sandbox: SandboxServer;
  let app: LongRunningCommand;
  let appUrl: string;

  beforeAll(async () => {
    project = await installExample('next-app-router', inject('tarballs'));
    // The token exists only at run time, in the server's environment: the build never sees it.
    await project.run('npm', ['run', 'build'], { env: NEXT_ENV, timeoutMs: 540_000 });
    sandbox = await createSandboxServer({ port: 0 });
    app = await startCommand('npm', ['start', '--', '-H', '127.0.0.1', '-p', '0'], {
      cwd: project.directory,
      env: { ...NEXT_ENV, SANDPROC_URL: sandbox.url, SANDPROC_TOKEN: sandbox.token },
      readyPattern: /Local:\s+(http:\/\/127\.0\.0\.1:\d+)/,
    });
    appUrl = app.ready[1]!;
  });

  afterAll(async () => {
    await app?.stop();
    await sandbox?.close();
    project?.remove();
  });

  it('proxies the process API through the route handler with the token, and refuses other origins', async () => {
    const listed = await fetch(`${appUrl}/api/sandbox/process`);
    expect(listed.status).toBe(200);
    expect(await listed.json()).toEqual([]);
    const crossSite = await fetch(`${appUrl}/api/sandbox/process`, {
      method: 'POST',
      headers: { Origin: 'https://evil.example', 'Content-Type': 'application/json' },
      body: JSON.stringify({ command: 'echo pwned' }),
    });
    expect(crossSite.status).toBe(403);
    expect(sandbox.stats().processes).toBe(0);
  });

  it('renders a process on the server (initialData) into the HTML, and 404s an unknown one', async () => {
    const client = createClient({ baseUrl: sandbox.url, token: sandbox.token });
    const started = await client.process.exec({ command: 'echo server-rendered; sleep 600' });
    try {
      const html = await (await fetch(`${appUrl}/processes/${started.pid}`)).text();
      expect(html).toContain('echo server-rendered; sleep 600');
      expect(html).toMatch(/data-testid="process-status"[^>]*>running</);
      expect(html).not.toContain(sandbox.token);
    } finally {
      await client.process.kill(started.pid);
    }
    expect((await fetch(`${appUrl}/processes/999999999`)).status).toBe(404);
  });

  it('keeps the token out of every file served to browsers', () => {
    const staticFolder = join(project.directory, '.next', 'static');
    const files = readdirSync(staticFolder, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    expect(files.length).toBeGreaterThan(3);
    for (const file of files)
      expect(readFileSync(join(file.parentPath, file.name), 'utf8')).not.toContain(sandbox.token);
  });

  describeInChromium('in Chromium', (openPage) => {
    it('runs a command and shows its output live, then follows it on its page and stops it', {
      timeout: 120_000,
    }, async () => {
      const { page, pageErrors } = await openPage();
      await page.goto(appUrl);
      await page.fill('input[aria-label="Command"]', 'echo live-1; echo live-2 >&2; sleep 600');
      await page.click('button[type="submit"]');
      // useExec: output on screen while the process still runs.
      await page.waitForFunction(() => {
        const status = document.querySelector('[data-testid="run-status"]')?.textContent ?? '';
        const output = document.querySelector('[data-testid="run-output"]')?.textContent ?? '';
        return status.startsWith('running') && output.includes('live-1') && output.includes('live-2');
      });
      // The process page: server-rendered, then useProcess / useProcessLogs in the browser.
      await page.click('[data-testid="run-status"] a');
      await page.waitForSelector('[data-testid="process-status"] >> text=running');
      await page.waitForSelector('[data-testid="process-output"] >> text=live-1');
      await page.waitForSelector('[data-testid="process-output"] >> text=live-2');
      await page.click('button >> text=Stop');
      await page.waitForSelector('[data-testid="process-status"] >> text=stopped');
      expect(sandbox.stats().running).toBe(0);
      expect(await page.content()).not.toContain(sandbox.token);
      expect(pageErrors).toEqual([]);
      await page.close();
    });
  });
});
