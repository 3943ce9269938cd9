// npm run bench: cold wall time of `breakglass validate` next to the floor on the same machine.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const work = mkdtempSync(join(tmpdir(), 'breakglass-bench-'));

function manifestWith(count) {
  const example = readFileSync(join(root, 'examples/accounts.yaml'), 'utf8');
  if (count === 2) return join(root, 'examples/accounts.yaml');
  const accounts = Array.from({ length: count }, (_, i) => `  - objectId: 00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}\n    userPrincipalName: bg-${i}@contoso.onmicrosoft.com\n    kind: global-admin\n`).join('');
  const path = join(work, `accounts-${count}.yaml`);
  writeFileSync(path, example.replace(/accounts:\n[\s\S]*?\n\n/, `accounts:\n${accounts}\n`));
  return path;
}

function timeCommand(args) {
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, args, { cwd: root, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}\n${r.stderr}\n${r.stdout}`);
    times.push(ms);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0] };
}

const rows = [];
// The accounts axis: a typical manifest, a large one, and one whose queries read a watchlist.
for (const count of [2, 50, 500]) {
  const manifest = manifestWith(count);
  const report = JSON.parse(execFileSync(process.execPath, ['bin/breakglass.js', 'validate', '--manifest', manifest, '--format', 'json', '--allow-warnings'], { cwd: root, encoding: 'utf8' }));
  // The floor analyses the very queries validate analyses (rules, their inline variants for
  // Azure Monitor, workbook queries), as the JSON report lists them.
  const { build } = await import(join(root, 'dist/generator/build.js'));
  const { readCatalog } = await import(join(root, 'dist/generator/catalog/read-catalog.js'));
  const { readPlaybook } = await import(join(root, 'dist/generator/playbook/read-playbook.js'));
  const { parseWorkbookTemplate } = await import(join(root, 'dist/generator/workbook/workbook-template.js'));
  const { workspaceGlobals } = await import(join(root, 'dist/generator/validate/kusto-schema.js'));
  const { catalog } = await readCatalog([join(root, 'analytics-rules')], root);
  const workbookFile = join(root, 'workbooks/breakglass-accounts.yaml');
  const result = build({
    manifestText: readFileSync(manifest, 'utf8'),
    manifestFile: manifest,
    catalog,
    playbook: await readPlaybook(join(root, 'playbooks'), root),
    workbook: parseWorkbookTemplate(readFileSync(workbookFile, 'utf8'), workbookFile),
    globals: workspaceGlobals(),
  });
  const queries = result.analysedQueries;
  const queryFile = join(work, `queries-${count}.json`);
  writeFileSync(queryFile, JSON.stringify(queries));
  const ours = timeCommand(['bin/breakglass.js', 'validate', '--manifest', manifest, '--allow-warnings']);
  const floor = timeCommand(['bench/floor.mjs', queryFile]);
  rows.push({ accounts: count, rules: report.rules.length, analysed: queries.length, accountSource: report.accountSource, queryChars: queries.reduce((n, q) => n + q.length, 0), ours, floor, ratio: ours.median / floor.median });
}

console.log(`breakglass validate, cold (new node process each run), median of ${RUNS} runs on ${process.platform}/${process.arch}, node ${process.version}`);
console.log('accounts  rules  queries  source     query chars   validate ms   floor ms   ratio   (goal <= 1.5)');
for (const r of rows) {
  console.log(`${String(r.accounts).padStart(8)}  ${String(r.rules).padStart(5)}  ${String(r.analysed).padStart(7)}  ${r.accountSource.padEnd(9)}  ${String(r.queryChars).padStart(11)}  ${r.ours.median.toFixed(0).padStart(12)}  ${r.floor.median.toFixed(0).padStart(9)}  ${r.ratio.toFixed(2).padStart(6)}`);
}

// Growth: the cost must stay linear in the accounts (it was quadratic in Kusto.Language's string
// building: 4,000 accounts took over a minute, 20,000 never finished). One cold run each; the time
// above the 2-account run, per 1,000 accounts, should stay about the same.
const SCALE = (process.env.BENCH_SCALE ?? '2000,20000').split(',').map(Number).filter((n) => n > 0);
const base = rows.find((r) => r.accounts === 2).ours.median;
console.log('\nvalidate, cold, one run each: time above the 2-account run, per 1,000 accounts (linear: about constant)');
for (const count of SCALE) {
  const manifest = manifestWith(count);
  const start = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['bin/breakglass.js', 'validate', '--manifest', manifest, '--allow-warnings'], { cwd: root, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`validate of ${count} accounts exited ${r.status}\n${r.stderr}`);
  console.log(`${String(count).padStart(8)} accounts  ${ms.toFixed(0).padStart(7)} ms  ${(((ms - base) / count) * 1000).toFixed(0).padStart(6)} ms per 1,000 accounts`);
}
