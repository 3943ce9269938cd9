import { describe, expect, it } from 'vitest';
import { terminalProgress } from '../generator/cli/progress.js';
import { EXAMPLE_MANIFEST, FIXTURES, runCli } from './helpers/harness.js';
import { join } from 'node:path';

function terminal(isTTY: boolean) {
  let written = '';
  return { stream: { write: (s: string) => (written += s), isTTY }, written: () => written };
}

describe('progress of long work', () => {
  it('on a terminal: quiet for the first half second, then one line redrawn in place at most every 100 ms, cleared at the end', () => {
    let now = 0;
    const out = terminal(true);
    const progress = terminalProgress(out.stream, { now: () => now });
    progress.update('analysing queries', 1, 400);
    now = 499;
    progress.update('analysing queries', 100, 400);
    expect(out.written()).toBe('');
    now = 500;
    progress.update('analysing queries', 200, 400);
    now = 550;
    progress.update('analysing queries', 250, 400);
    now = 650;
    progress.update('analysing queries', 300, 400);
    now = 660;
    progress.update('analysing queries', 400, 400);
    progress.clear();
    expect(out.written()).toBe('\r\u001b[Kanalysing queries 200/400 (50%)\r\u001b[Kanalysing queries 300/400 (75%)\r\u001b[Kanalysing queries 400/400 (100%)\r\u001b[K');
  });

  it('work of unknown size is shown by its label', () => {
    let now = 0;
    const out = terminal(true);
    const progress = terminalProgress(out.stream, { now: () => now });
    progress.update('reading signins.json', 0, 0);
    now = 600;
    progress.update('reading signins.json', 0, 0);
    expect(out.written()).toBe('\r\u001b[Kreading signins.json...');
  });

  it('nothing when the output is a file or a pipe', () => {
    let now = 0;
    const out = terminal(false);
    const progress = terminalProgress(out.stream, { now: () => now });
    for (now = 0; now < 5000; now += 100) progress.update('analysing queries', now, 5000);
    progress.clear();
    expect(out.written()).toBe('');
  });

  it('a piped validate and replay print no progress line', async () => {
    const validate = await runCli(['validate', '--manifest', EXAMPLE_MANIFEST]);
    const replay = await runCli(['replay', '--manifest', EXAMPLE_MANIFEST, '--events', `SigninLogs=${join(FIXTURES, 'real-logs', 'msticpy_aad_logons_SigninLogs.LA.json')}`, '--history']);
    for (const run of [validate, replay]) {
      expect(run.code).toBe(0);
      expect(run.stderr).not.toContain('\r');
      expect(run.stdout).not.toContain('\r');
    }
  });
});
