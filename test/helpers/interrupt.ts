import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './harness.js';

const READY = '[sigint-handler-ready]\n';

/**
 * Runs the built CLI in a process of its own and presses Ctrl-C once, as soon as the process has
 * its Ctrl-C handler in place (so the signal is never the default "die at once"), as a person
 * would a moment after starting a command.
 */
export function runAndInterrupt(args: string[], cwd: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', join(ROOT, 'test', 'helpers', 'announce-sigint.mjs'), join(ROOT, 'bin', 'breakglass.js'), ...args], { cwd, env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    let pressed = false;
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (!pressed && stderr.includes(READY)) {
        pressed = true;
        child.kill('SIGINT');
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr: stderr.replace(READY, '') }));
  });
}
