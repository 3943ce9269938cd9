// Push of the example manifest to emulated workspaces with a fixed latency per call: wall time,
// calls made, and write calls on a second run (which must be 0).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const { ArmEmulator } = await import(join(root, 'dist-bench/test/emulator/arm-emulator.js'));

const WORKSPACES = Number(process.env.BENCH_WORKSPACES ?? 100);
const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 50);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const WRITES_PER_WORKSPACE = 4;

const dir = mkdtempSync(join(tmpdir(), 'breakglass-bench-push-'));
const manifest = join(dir, 'accounts.yaml');
const example = readFileSync(join(root, 'examples/accounts.yaml'), 'utf8');
const workspaces = Array.from({ length: WORKSPACES }, (_, i) => `  - name: ws${i}\n    subscriptionId: 00000000-0000-4000-8000-${String(i).padStart(12, '0')}\n    resourceGroup: rg-${i}\n    workspaceName: law-${i}\n`).join('');
writeFileSync(manifest, example.replace(/workspaces:\n[\s\S]*?\n\n/, `workspaces:\n${workspaces}\n`));

const emulator = new ArmEmulator();
await emulator.start();

function push() {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, [join(root, 'bin/breakglass.js'), 'push', '--manifest', manifest, '--yes', '--concurrency', String(CONCURRENCY), '--format', 'json'], { env: { ...process.env, ...emulator.env() }, stdio: ['ignore', 'pipe', 'inherit'] });
    child.stdout.resume();
    child.on('close', (code) => resolve({ code, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
  });
}

// Start-up (node, Kusto validation of the content) is measured once without any Azure call.
const startup = await new Promise((resolve) => {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [join(root, 'bin/breakglass.js'), 'validate', '--manifest', manifest], { stdio: 'ignore' });
  child.on('close', () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
});

emulator.latencyMs = LATENCY_MS;
const rows = [];
for (const run of ['first', 'second']) {
  const before = emulator.calls.length;
  const writesBefore = emulator.writes().length;
  const result = await push();
  const calls = emulator.calls.slice(before).filter((c) => !c.path.includes('oauth2') && !c.path.includes('openid'));
  const writes = emulator.writes().length - writesBefore;
  // Within a workspace, writes of one phase run 4 at a time; workspaces run CONCURRENCY at a time.
  const ideal = (calls.length * LATENCY_MS) / CONCURRENCY;
  rows.push({ run, code: result.code, ms: result.ms, calls: calls.length, writes, ideal, network: result.ms - startup });
}
await emulator.stop();

console.log(`push to ${WORKSPACES} emulated workspaces, ${LATENCY_MS} ms per call, --concurrency ${CONCURRENCY} (x${WRITES_PER_WORKSPACE} writes per workspace)`);
console.log(`start-up (node + render + Kusto validation, no calls): ${startup.toFixed(0)} ms`);
console.log('run     exit  wall ms  calls  writes  calls x latency / concurrency  ratio (wall - start-up) / that   (goal <= 2)');
for (const r of rows) {
  console.log(`${r.run.padEnd(6)}  ${String(r.code).padStart(4)}  ${r.ms.toFixed(0).padStart(7)}  ${String(r.calls).padStart(5)}  ${String(r.writes).padStart(6)}  ${r.ideal.toFixed(0).padStart(29)}  ${(r.network / r.ideal).toFixed(2).padStart(32)}`);
}
