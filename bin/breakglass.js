#!/usr/bin/env node
import { createInterface } from 'node:readline/promises';
import { main } from '../dist/generator/cli.js';

// Ctrl-C once: start no new writes, finish what is under way, print what was done.
// Ctrl-C twice: stop at once.
const controller = new AbortController();
process.on('SIGINT', () => {
  if (controller.signal.aborted) process.exit(130);
  process.stderr.write('\ninterrupted: no new changes will be started (Ctrl-C again to stop at once)\n');
  controller.abort();
});

const confirm = process.stdin.isTTY
  ? async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return /^y(es)?$/i.test((await rl.question(question)).trim());
      } finally {
        rl.close();
      }
    }
  : undefined;

const prompt = process.stdin.isTTY
  ? async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    }
  : undefined;

// NO_COLOR (no-color.org): plain text even on a terminal.
const plain = (stream) => ({ write: (text) => stream.write(text), isTTY: false });
const noColor = Boolean(process.env.NO_COLOR);

process.exitCode = await main(process.argv.slice(2), {
  cwd: process.cwd(),
  stdout: noColor ? plain(process.stdout) : process.stdout,
  stderr: noColor ? plain(process.stderr) : process.stderr,
  env: process.env,
  signal: controller.signal,
  ...(confirm ? { confirm } : {}),
  ...(prompt ? { prompt } : {}),
});
