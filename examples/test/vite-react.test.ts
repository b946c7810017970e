/**
 * examples/vite-react, installed from the packed packages: it builds (tsc + vite build), and its
 * dev server, in front of a local sandbox, shows a command's output live in Chromium.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSandboxServer, type SandboxServer } from '@sandproc/server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { describeInChromium } from './in-chromium.js';
import { installExample, startCommand, type ExampleProject, type LongRunningCommand } from './example-project.js';

describe('examples/vite-react', () => {
  let project: ExampleProject;
  let sandbox: SandboxServer;
  let devServer: LongRunningCommand;
  let appUrl: string;

  beforeAll(async () => {
    project = await installExample('vite-react', inject('tarballs'));
    sandbox = await createSandboxServer({ port: 0 });
    devServer = await startCommand('npm', ['run', 'dev', '--', '--host', '127.0.0.1', '--port', '0', '--strictPort'], {
      cwd: project.directory,
      env: { SANDPROC_URL: sandbox.url, SANDPROC_TOKEN: sandbox.token },
      readyPattern: /Local:\s+(http:\/\/127\.0\.0\.1:\d+\/)/,
    });
    appUrl = devServer.ready[1]!;
  });

  afterAll(async () => {
    await devServer?.stop();
    await sandbox?.close();
    project?.remove();
  });

  it('builds (tsc, then vite build), with no token in the bundle', async () => {
    await project.run('npm', ['run', 'build'], { env: { SANDPROC_TOKEN: sandbox.token } });
    const assets = readdirSync(join(project.directory, 'dist', 'assets'));
    expect(assets.some((file) => file.endsWith('.js'))).toBe(true);
    for (const file of assets)
      expect(readFileSync(join(project.directory, 'dist', 'assets', file), 'utf8')).not.toContain(sandbox.token);
  });

  it('proxies /sandbox with the token, and refuses other origins', async () => {
    const listed = await fetch(new URL('sandbox/process', appUrl));
    expect(listed.status).toBe(200);
    expect(Array.isArray(await listed.json())).toBe(true);
    const crossSite = await fetch(new URL('sandbox/process', appUrl), {
      method: 'POST',
      headers: { Origin: 'https://evil.example', 'Content-Type': 'application/json' },
      body: JSON.stringify({ command: 'echo pwned' }),
    });
    expect(crossSite.status).toBe(403);
    expect(sandbox.stats().processes).toBe(0);
  });

  describeInChromium('in Chromium', (openPage) => {
    it('runs a command and shows its output while it runs, then stops it', { timeout: 120_000 }, async () => {
      const { page, pageErrors } = await openPage();
      await page.goto(appUrl);
      await page.fill('input[aria-label="Command"]', 'echo live-1; echo live-2; sleep 600');
      await page.click('button[type="submit"]');
      // Output on screen while the process is still running: it arrived live.
      await page.waitForFunction(() => {
        const status = document.querySelector('[data-testid="status"]')?.textContent;
        const output = document.querySelector('[data-testid="output"]')?.textContent ?? '';
        return status === 'running' && output.includes('live-1\nlive-2');
      });
      expect(await page.content()).not.toContain(sandbox.token);
      await page.click('button >> text=Stop');
      await page.waitForSelector('[data-testid="status"] >> text=/^stopped/');
      expect(sandbox.stats()).toMatchObject({ processes: 1, running: 0 });
      expect(pageErrors).toEqual([]);
      await page.close();
    });
  });
});
