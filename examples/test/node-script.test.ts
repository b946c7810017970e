/** examples/node-script, installed from the packed packages, type-checked and run against a local server. */
import { createSandboxServer, type SandboxServer } from '@sandproc/server';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { installExample, type ExampleProject } from './example-project.js';

describe('examples/node-script', () => {
  let project: ExampleProject;
  let sandbox: SandboxServer;

  beforeAll(async () => {
    project = await installExample('node-script', inject('tarballs'));
    sandbox = await createSandboxServer({ port: 0 });
  });

  afterAll(async () => {
    await sandbox?.close();
    project?.remove();
  });

  it('type-checks (strict, NodeNext)', async () => {
    await project.run('npm', ['run', 'typecheck']);
  });

  it('runs a command with its output in order, then starts, awaits and stops a server', async () => {
    const output = await project.run('npm', ['start'], {
      env: { SANDPROC_URL: sandbox.url, SANDPROC_TOKEN: sandbox.token },
    });
    expect(output).toMatch(/out \| node v\d+[\s\S]*out \| step 1\n[\s\S]*out \| step 2\n[\s\S]*out \| step 3\n/);
    expect(output).toContain('err | oops');
    expect(output).toContain('finished: failed, exit code 3');
    expect(output).toContain('server said: ready on port 3000');
    expect(output).toContain('server: stopped');
    expect(sandbox.stats()).toMatchObject({ processes: 2, running: 0 });
  });

  it('says what to do when the token is wrong, and exits non-zero', async () => {
    const failure = await project
      .run('npm', ['start'], { env: { SANDPROC_URL: sandbox.url, SANDPROC_TOKEN: 'not-the-token' } })
      .then(
        () => null,
        (error: Error) => error.message,
      );
    expect(failure).toContain('The sandbox refused the token');
  });
});
