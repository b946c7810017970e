import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandboxServer } from './create-sandbox-server.js';
import { bubblewrapUnavailable } from './testing/bubblewrap.js';
import { BUILT_CLI, startCliProcess } from './testing/cli-process.js';
import { startTestServer, type TestServer } from './testing/test-server.js';

/** A host directory not under /tmp: /var/tmp where it exists, else this package's folder. */
function hostDirectoryOutsideTmp(): string {
  const packageDirectory = fileURLToPath(new URL('../', import.meta.url));
  if (!packageDirectory.startsWith('/tmp/')) return packageDirectory;
  return existsSync('/var/tmp') ? '/var/tmp' : packageDirectory;
}

const unavailable = bubblewrapUnavailable();
if (unavailable !== undefined) console.warn(`isolated-mode tests skipped: ${unavailable}`);

describe.skipIf(unavailable !== undefined)('isolated mode (--isolate, bubblewrap)', () => {
  let sandbox: TestServer;
  let outside: string;
  let hostFile: string;
  let workspace: string;
  beforeAll(async () => {
    // Not under /tmp: inside the sandbox /tmp is private, so a host file there is simply not visible.
    // The checkout itself may be under /tmp (CI clones can be), so use /var/tmp when it is there.
    outside = mkdtempSync(join(hostDirectoryOutsideTmp(), '.isolation-test-'));
    hostFile = join(outside, 'host-file');
    writeFileSync(hostFile, 'original');
    workspace = join(outside, 'workspace');
    sandbox = await startTestServer({ isolate: true, workspace });
  });
  afterAll(async () => {
    await sandbox.server.close();
    rmSync(outside, { recursive: true, force: true });
  });

  it('reports the mode and the workspace', async () => {
    expect(sandbox.server.options).toMatchObject({ containment: 'isolated', isolate: true, workspace });
    const health = await sandbox.request<{ containment: string }>('GET', '/health', { auth: false });
    expect(health.json.containment).toBe('isolated');
  });

  it('cannot create or change a file outside the workspace, HOME and /tmp', async () => {
    for (const command of [
      `echo changed > ${hostFile}`,
      `rm ${hostFile}`,
      'touch /usr/sandproc-isolation-probe',
      `touch ${outside}/new-file`,
    ]) {
      const { json } = await sandbox.exec({ command, waitForCompletion: true });
      expect(json.status).toBe('failed');
      expect(json.stderr).toMatch(/Read-only file system|Permission denied/);
    }
    expect(readFileSync(hostFile, 'utf8')).toBe('original');
    expect(existsSync('/usr/sandproc-isolation-probe')).toBe(false);
    expect(existsSync(join(outside, 'new-file'))).toBe(false);
  });

  it('writes in the workspace (the default working directory), a private HOME and /tmp; ~ resolves inside', async () => {
    const { json } = await sandbox.exec({
      command:
        'pwd; echo w > ./in-workspace && echo h > ~/in-home && echo t > /tmp/in-tmp && cat in-workspace ~/in-home /tmp/in-tmp',
      waitForCompletion: true,
    });
    expect(json).toMatchObject({ status: 'completed', stdout: `${workspace}\nw\nh\nt\n` });
    expect(readFileSync(join(workspace, 'in-workspace'), 'utf8')).toBe('w\n');
    const home = await sandbox.exec({
      command: 'pwd; echo "$HOME"; cat in-home',
      workingDir: '~',
      waitForCompletion: true,
    });
    const [pwd, homeVariable, content] = home.json.stdout.trim().split('\n');
    expect(pwd).toBe(homeVariable);
    expect(pwd).not.toBe(process.env.HOME);
    expect(content).toBe('h');
    // A host directory under /tmp is not there inside: /tmp is private to each command.
    const hostTemporary = mkdtempSync('/tmp/sandproc-host-only-');
    try {
      const inPrivateTmp = await sandbox.exec({ command: 'pwd', workingDir: hostTemporary, waitForCompletion: true });
      expect(inPrivateTmp.status).toBe(422);
      expect(inPrivateTmp.json).toEqual({ error: expect.stringContaining('private /tmp') });
    } finally {
      rmSync(hostTemporary, { recursive: true, force: true });
    }
    expect((await sandbox.exec({ command: 'pwd', workingDir: '/tmp', waitForCompletion: true })).json.stdout).toBe(
      '/tmp\n',
    );
  });

  it('runs node and sh from the host, and its ps shows only its own processes', async () => {
    const { json } = await sandbox.exec({
      command: 'node -e "console.log(6 * 7)"; sh -c "echo from-sh"; ps -e -o pid=,args=',
      waitForCompletion: true,
    });
    expect(json.status).toBe('completed');
    const [answer, fromSh, ...processes] = json.stdout.trim().split('\n');
    expect(answer).toBe('42');
    expect(fromSh).toBe('from-sh');
    expect(processes.length).toBeLessThanOrEqual(3);
    expect(processes.some((line) => /\bps -e/.test(line))).toBe(true);
    expect(processes.some((line) => /vitest|cli\.js/.test(line))).toBe(false);
  });

  it('keeps the network by default; network: false leaves only a private loopback', async () => {
    const probe = `node -e "require('net').connect(${sandbox.server.port}, '127.0.0.1').on('connect', () => { console.log('connected'); process.exit(0); }).on('error', (error) => { console.log(error.code); process.exit(3); })"`;
    expect((await sandbox.exec({ command: probe, waitForCompletion: true })).json.stdout).toBe('connected\n');
    const offline = await startTestServer({ isolate: true, network: false });
    try {
      const { json } = await offline.exec({ command: probe, waitForCompletion: true });
      expect(json.status).toBe('failed');
      expect(json.stdout).toBe('ECONNREFUSED\n');
    } finally {
      await offline.server.close();
    }
  });

  it("answers 422 with the launcher's reason when a command cannot start, and keeps no record of it", async () => {
    const gone = join(outside, 'workspace-to-remove');
    const own = await startTestServer({ isolate: true, workspace: gone });
    try {
      rmSync(gone, { recursive: true, force: true });
      const { status, json } = await own.exec({ command: 'echo never', waitForCompletion: true });
      expect(status).toBe(422);
      expect(json).toEqual({ error: expect.stringMatching(/could not start \(\S*bwrap ended with 1\): bwrap: /) });
      expect(own.server.stats().processes).toBe(0);
    } finally {
      await own.server.close();
    }
  });

  it('hides the run directory (every output file) from commands, even with dataDir inside the workspace', async () => {
    const shared = join(outside, 'data-in-workspace');
    const own = await startTestServer({ isolate: true, workspace: shared, dataDir: shared });
    try {
      const { runDirectory } = own.server;
      expect(runDirectory.startsWith(`${shared}/sandproc-run-`)).toBe(true);
      const victim = await own.exec({ command: 'seq 1 3', name: 'victim', waitForCompletion: true });
      expect(victim.json).toMatchObject({ status: 'completed', stdout: '1\n2\n3\n' });
      expect(readdirSync(runDirectory).some((file) => file.endsWith('.data'))).toBe(true);
      const intruder = await own.exec({
        command: `ls -A ${runDirectory}; for f in ${runDirectory}/output-*; do echo "saw $f"; echo garbage > "$f"; done; true`,
        waitForCompletion: true,
      });
      expect(intruder.json).toMatchObject({ status: 'completed', stdout: `home\nsaw ${runDirectory}/output-*\n` });
      const logs = await own.request<{ stdout: string }>('GET', '/process/victim/logs');
      expect(logs.json.stdout).toBe('1\n2\n3\n');
      const inside = await own.exec({ command: 'pwd', workingDir: `${runDirectory}/`, waitForCompletion: true });
      expect(inside.status).toBe(422);
      expect(inside.json).toEqual({ error: expect.stringContaining("is in the server's run directory") });
    } finally {
      await own.server.close();
    }
    expect(existsSync(shared)).toBe(true);
  });

  it('keeps the default workspace and HOME in the run directory, beside the output files', async () => {
    const own = await startTestServer({ isolate: true });
    try {
      const { runDirectory } = own.server;
      expect(own.server.options.workspace).toBe(join(runDirectory, 'workspace'));
      const { json } = await own.exec({
        command: `echo w > in-workspace; echo "$HOME"; ls -A ${runDirectory} | sort`,
        waitForCompletion: true,
      });
      expect(json).toMatchObject({ status: 'completed', stdout: `${join(runDirectory, 'home')}\nhome\nworkspace\n` });
      expect(readFileSync(join(runDirectory, 'workspace', 'in-workspace'), 'utf8')).toBe('w\n');
    } finally {
      await own.server.close();
    }
  });

  it('shows hidePaths empty, and the CLI hides its --token-file from commands', async () => {
    const secrets = join(outside, 'secrets');
    mkdirSync(secrets);
    writeFileSync(join(secrets, 'key'), 'private-key');
    const tokenFile = join(outside, 'token');
    writeFileSync(tokenFile, 'isolated-token-file-secret\n', { mode: 0o600 });
    const own = await startTestServer({ isolate: true, hidePaths: [secrets, join(outside, 'missing')] });
    try {
      expect(own.server.options.hidePaths).toEqual([secrets]);
      const { json } = await own.exec({ command: `ls -A ${secrets}; cat ${hostFile}; echo`, waitForCompletion: true });
      expect(json).toMatchObject({ status: 'completed', stdout: 'original\n' });
    } finally {
      await own.server.close();
    }
    const cli = startCliProcess(['--port', '0', '--isolate', '--token-file', tokenFile], { PATH: process.env.PATH });
    try {
      await cli.listening();
      const { json } = await cli.request<{ status: string; stdout: string }>(
        'isolated-token-file-secret',
        'POST',
        '/process',
        {
          command: `cat ${tokenFile}; grep -rs isolated-token-file-secret ${outside} || echo not found`,
          waitForCompletion: true,
        },
      );
      expect(json).toMatchObject({ status: 'completed', stdout: 'not found\n' });
      expect(readFileSync(tokenFile, 'utf8')).toBe('isolated-token-file-secret\n');
    } finally {
      cli.signal('SIGTERM');
      await cli.exited;
    }
    // A token file that is a pipe (`--token-file <(...)`) has nothing to hide.
    const piped = startCliProcess(['--port', '0', '--isolate'], { PATH: process.env.PATH }, [
      'bash',
      '-c',
      'exec "$0" "$@" --token-file <(printf "piped-token\\n")',
      process.execPath,
      BUILT_CLI,
    ]);
    try {
      await piped.listening();
      const { json } = await piped.request<{ stdout: string }>('piped-token', 'POST', '/process', {
        command: 'echo ok',
        waitForCompletion: true,
      });
      expect(json.stdout).toBe('ok\n');
    } finally {
      piped.signal('SIGTERM');
      await piped.exited;
    }
  });

  it('removes its default workspace on close, never a given one', async () => {
    const own = await createSandboxServer({ port: 0, isolate: true });
    const defaultWorkspace = own.options.workspace ?? '';
    expect(existsSync(defaultWorkspace)).toBe(true);
    await own.close();
    expect(existsSync(defaultWorkspace)).toBe(false);
    expect(existsSync(workspace)).toBe(true);
  });
});

describe('isolated mode without bubblewrap', () => {
  it('refuses to start and says what to install', async () => {
    const cli = startCliProcess(['--port', '0', '--isolate'], { PATH: '/nonexistent' });
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toMatch(/needs bubblewrap.*apt-get install bubblewrap/);
    expect(cli.output()).not.toContain('listening on');
  });
});
