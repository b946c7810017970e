/** Stop, kill and restarts. */
import { del, finished, get, post, printed, scenario, type Scenario } from '../scenario.js';

const FAIL_TWICE = 'n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; echo "try $n"; [ $n -ge 3 ]';

export const lifecycleScenarios: Scenario[] = [
  scenario('stop a running process, then stop and kill it again', [
    post({ command: 'echo up; sleep 30' }, { save: 'a', outputAtAnswerVaries: true }),
    printed('a', 'up'),
    del('/process/{a}'),
    finished('a'),
    get('/process/{a}'),
    del('/process/{a}'),
    del('/process/{a}/kill', { endedGroupVaries: true }),
  ]),
  scenario('kill a running process by name, then again', [
    post({ command: 'echo up; sleep 30', name: 'to-kill' }, { save: 'a', outputAtAnswerVaries: true }),
    printed('a', 'up'),
    del('/process/to-kill/kill'),
    finished('a'),
    get('/process/to-kill'),
    del('/process/to-kill/kill', { endedGroupVaries: true }),
  ]),
  scenario('stop and kill of a process that completed', [
    post({ command: 'echo done', waitForCompletion: true }, { save: 'a' }),
    del('/process/{a}'),
    del('/process/{a}/kill'),
  ]),
  // The shell's own stderr is silenced: bash (the reference's $SHELL) reports the `sleep` it saw die
  // of the group's SIGTERM, dash does not.
  scenario('a process that traps SIGTERM and exits 0 ends completed', [
    post(
      { command: "exec 2>/dev/null; trap 'echo bye; exit 0' TERM; echo ready; while true; do sleep 0.1; done" },
      { save: 'a', outputAtAnswerVaries: true },
    ),
    printed('a', 'ready'),
    del('/process/{a}'),
    finished('a'),
    get('/process/{a}'),
  ]),
  scenario('bash syntax: source and function f() {}', [
    post({
      command: 'f() { echo "in f"; }; function g() { echo "in g"; }; f; g; source /dev/null && echo sourced',
      waitForCompletion: true,
    }),
  ]),
  scenario('restarts, limited: ends failed with the restart notices in its output', [
    post(
      { command: 'echo try; exit 1', restartOnFailure: true, maxRestarts: 2, waitForCompletion: true },
      { save: 'a' },
    ),
    get('/process/{a}'),
    get('/process/{a}/logs'),
  ]),
  scenario('restarts, unlimited, until success', [
    post(
      { command: FAIL_TWICE, workingDir: '{dir}', restartOnFailure: true, maxRestarts: -1, waitForCompletion: true },
      { save: 'a' },
    ),
    get('/process/{a}/logs'),
  ]),
  scenario('restartOnFailure with maxRestarts 0 never restarts', [
    post({ command: 'exit 5', restartOnFailure: true, maxRestarts: 0, waitForCompletion: true }),
  ]),
  scenario('a successful process is not restarted', [
    post({ command: 'echo fine', restartOnFailure: true, maxRestarts: 3, waitForCompletion: true }),
  ]),
];
