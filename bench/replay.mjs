// npm run bench: `breakglass replay --history` over a generated 10,000,000-record export (written to
// a temporary folder here, removed after): wall time, records per second and peak memory (RSS) of
// the replay process; then a 1,000,000-record export written newest first, which replay sorts on disk.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeExport } from './replay-export.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROWS = Number(process.env.BENCH_REPLAY_ROWS ?? 10_000_000);
const UNORDERED_ROWS = Number(process.env.BENCH_REPLAY_UNORDERED_ROWS ?? 1_000_000);
const FORMAT = process.env.BENCH_REPLAY_FORMAT ?? 'json';
// The whole-file replay before streaming, measured on this machine over a 700,000-record JSON
// export of the same generator (the largest it could read: 1,000,000 records are more than V8's
// longest string): 31.9 s, 22,000 records/s, 1.95 GB peak; a 1,000,000-record CSV ran out of
// memory at the default heap (4 GB) and took 148 s and 11.7 GB with an 18 GB heap.
const BEFORE_RECORDS_PER_SECOND = 22_000;

const dist = (path) => import(join(root, 'dist/generator', path));
const { parseManifest } = await dist('manifest/parse-manifest.js');
const { readCatalog } = await dist('catalog/read-catalog.js');
const manifestFile = join(root, 'examples/accounts.yaml');
const { catalog } = await readCatalog([join(root, 'analytics-rules')], root);
const manifest = parseManifest(readFileSync(manifestFile, 'utf8'), manifestFile, catalog.rules.map((r) => r.template.id)).manifest;

const work = mkdtempSync(join(tmpdir(), 'breakglass-bench-replay-'));

/** Runs replay --history on `file` in its own process: wall time, peak RSS (MiB) and the JSON report. */
function replay(file) {
  const rssFile = join(work, 'max-rss');
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['--import', join(root, 'bench/max-rss.mjs'), 'bin/breakglass.js', 'replay', '--manifest', manifestFile, '--events', file, '--history', '--format', 'json'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
    env: { ...process.env, BENCH_MAX_RSS_FILE: rssFile },
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(`replay of ${file} exited ${run.status}\n${run.stderr}`);
  return { seconds, rssMiB: Number(readFileSync(rssFile, 'utf8')) / 1024, report: JSON.parse(run.stdout) };
}

function line(label, rows, bytes, { seconds, rssMiB, report }) {
  const read = Object.values(report.records).reduce((a, b) => a + b, 0);
  if (read !== rows) throw new Error(`${label}: the replay read ${read} records of ${rows}`);
  const alerts = Object.values(report.rules).reduce((n, r) => n + r.alerts.length, 0);
  const perSecond = Math.round(rows / seconds);
  console.log(`  ${label}: ${rows.toLocaleString('en')} records, ${(bytes / 1e9).toFixed(2)} GB, in ${seconds.toFixed(0)} s: ${perSecond.toLocaleString('en')} records/s, peak RSS ${rssMiB.toFixed(0)} MiB`);
  console.log(`    ${alerts} alerts, ${report.incidents.length} incidents, notifications per use ${report.notificationsPerUse?.toFixed(2) ?? 'none'}${report.sortedOnDisk ? `; not in time order: sorted on disk in ${report.sortedOnDisk.chunks} chunk${report.sortedOnDisk.chunks === 1 ? "" : "s"}` : ''}`);
  return perSecond;
}

try {
  console.log(`\nreplay --history over generated exports (${FORMAT}, ${manifest.accounts.length} accounts, 14 days), one process each`);
  // Why notifications per use is above 1 here and 1.00 over the real records: the generator gives
  // an account a failed sign-in every 50,000 records, half of them in the same second as a use.
  // signin-failure's alerts are grouped into incidents of their own (Sentinel groups alerts of one
  // rule only), so a failed try pages once more than the use it belongs to.
  console.log('  (each generated failed sign-in pages on its own, signin-failure groups its own incidents: above 1 per use by design)');
  const file = join(work, `export.${FORMAT}`);
  let start = process.hrtime.bigint();
  const bytes = await writeExport(file, { rows: ROWS, format: FORMAT, accounts: manifest.accounts });
  console.log(`  writing the export: ${(Number(process.hrtime.bigint() - start) / 1e9).toFixed(0)} s`);
  const perSecond = line('in time order', ROWS, bytes, replay(file));
  console.log(`    ${perSecond >= BEFORE_RECORDS_PER_SECOND ? 'goal met' : 'BELOW the goal'}: at least the ${BEFORE_RECORDS_PER_SECOND.toLocaleString('en')} records/s of the whole-file replay before streaming`);
  rmSync(file);
  if (UNORDERED_ROWS > 0) {
    const newest = join(work, `newest-first.${FORMAT}`);
    start = process.hrtime.bigint();
    await writeExport(newest, { rows: UNORDERED_ROWS, format: FORMAT, accounts: manifest.accounts, newestFirst: true });
    line('newest first', UNORDERED_ROWS, statSync(newest).size, replay(newest));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
