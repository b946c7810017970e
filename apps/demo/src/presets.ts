import type { ExecRequest } from '@sandproc/core';

export interface Preset {
  id: string;
  label: string;
  description: string;
  /** Builds the request; called on selection so each run can get fresh values (a free port). */
  request(): ExecRequest;
}

function randomPort(): number {
  return 20_000 + Math.floor(Math.random() * 20_000);
}

/** The preset the command box starts with. */
export const TICKING_LOOP: Preset = {
  id: 'ticker',
  label: 'Ticking loop',
  description: 'Writes coloured ticks to stdout and warnings to stderr for ~10 s, then exits 0.',
  request: () => ({
    command: [
      'for i in $(seq 1 20); do',
      '  printf \'\\033[32mtick\\033[0m %s \\033[2m(stdout)\\033[0m\\n\' "$i"',
      '  if [ $((i % 4)) -eq 0 ]; then printf \'\\033[33mwarn\\033[0m %s (stderr)\\n\' "$i" >&2; fi',
      '  sleep 0.5',
      'done',
      'echo done',
    ].join('\n'),
  }),
};

export const PRESETS: Preset[] = [
  {
    id: 'ls',
    label: 'Quick ls',
    description: 'Lists the working directory and exits.',
    request: () => ({ command: 'ls -la' }),
  },
  TICKING_LOOP,
  {
    id: 'fail',
    label: 'Failing command',
    description: 'Prints an error on stderr and exits with code 3.',
    request: () => ({
      command: "echo starting; sleep 0.5\nprintf '\\033[31merror:\\033[0m something broke\\n' >&2\nexit 3",
    }),
  },
  {
    id: 'server',
    label: 'Long-running server',
    description: 'Starts an HTTP server and waits (waitForPorts) until it accepts connections.',
    request: () => {
      const port = randomPort();
      return {
        command:
          `node -e "require('http').createServer((q, s) => { console.log(q.method, q.url); s.end('hello') })` +
          `.listen(${port}, () => console.log('listening on ${port}'))"`,
        waitForPorts: [port],
        timeout: 30,
      };
    },
  },
  {
    id: 'cat',
    label: 'cat with stdin',
    description: 'Echoes what you send on stdin; close stdin to end it.',
    request: () => ({ command: 'cat', stdin: true }),
  },
  {
    id: 'flood',
    label: '100k lines',
    description: 'Writes 100,000 lines at once, to try the virtualized log view.',
    request: () => ({ command: "seq -f 'line %06g of 100000' 1 100000" }),
  },
];
