#!/usr/bin/env node
// Ctrl-C is caught before anything else loads, so it is never the default "die at once".
// Once: plan, push and drift start no new writes and finish what is under way; every other
// command stops at its next step, writes nothing and exits 130. Twice: stop at once (130).
const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  controller.abort();
});

const { main } = await import('../dist/generator/cli.js');
const { terminalConfirm, terminalPrompt } = await import('../dist/generator/cli/terminal-prompt.js');

// Questions only when a person is at the terminal.
const atTerminal = Boolean(process.stdin.isTTY);

// NO_COLOR (no-color.org): plain text even on a terminal.
const plain = (stream) => ({ write: (text) => stream.write(text), isTTY: false });
const noColor = Boolean(process.env.NO_COLOR);

const code = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: noColor ? plain(process.stdout) : process.stdout,
  stderr: noColor ? plain(process.stderr) : process.stderr,
  env: process.env,
  signal: controller.signal,
  ...(atTerminal ? { confirm: terminalConfirm(process.stdin, process.stdout), prompt: terminalPrompt(process.stdin, process.stdout) } : {}),
});

// The command is done: exit once what was written has been flushed, so no stray handle (a socket
// kept alive, a timer of a library) can keep the process waiting after its work is over.
process.exitCode = code;
let pending = 2;
const done = () => {
  if (--pending === 0) process.exit(code);
};
process.stdout.write('', done);
process.stderr.write('', done);
