// How much real Sentinel content the offline engine runs: the analytics rules of the "Microsoft
// Entra ID" solution in Microsoft's Azure-Sentinel repository (MIT licence), each run offline over
// the real records in test/fixtures/real-logs. The rules are not part of this project: point the
// script at a local copy, and it is skipped when there is none.
//
//   node bench/entra-rules.mjs [DIR]
//
// DIR (or $ENTRA_RULES_DIR): the folder "Solutions/Microsoft Entra ID/Analytic Rules" of a
// checkout of github.com/Azure/Azure-Sentinel (its .yaml files), or a folder of .kql files, one
// query each. Build first (npm run build). Each rule's outcome is one line: runs (with the number
// of rows it returned), unsupported (the construct the engine refuses, by name) or invalid (the
// query does not analyse: a broken query, or a table no schema declares); then the share that
// runs. Tables the project ships no schema for are declared from bench/entra-extra-tables.json.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('..', import.meta.url));
const dir = process.argv[2] ?? process.env.ENTRA_RULES_DIR;
if (!dir || !existsSync(dir)) {
  console.log('entra-rules: skipped (no copy of the rules; pass the folder "Solutions/Microsoft Entra ID/Analytic Rules" of an Azure-Sentinel checkout)');
  process.exit(0);
}

const { evaluateQuery } = await import(join(root, 'dist/generator/index.js'));
const real = (file) => JSON.parse(readFileSync(join(root, 'test/fixtures/real-logs', file), 'utf8'));
const tables = {
  SigninLogs: real('msticpy_aad_logons_SigninLogs.LA.json'),
  AuditLogs: real('otrf_goldensaml_AADAuditEvents.LA.json'),
};
// Each table's records span a few hours of one day; a rule runs an hour after the latest record
// of the tables it reads, so that its lookback (ago(1h) .. ago(14d)) covers them.
const latest = (rows) => Math.max(...rows.map((r) => Date.parse(/[zZ]|[+-]\d\d:\d\d$/.test(r.TimeGenerated) ? r.TimeGenerated : `${r.TimeGenerated}Z`)));
// Tables the rules read that this project ships no schema for (IdentityInfo, BehaviorAnalytics, ...):
// declared from the Azure Monitor table reference, empty.
const { tables: schemas } = JSON.parse(readFileSync(join(root, 'bench/entra-extra-tables.json'), 'utf8'));
const clockFor = (query) => new Date((/\bAuditLogs\b/.test(query) ? latest(tables.AuditLogs) : latest(tables.SigninLogs)) + 3_600_000);

const rules = readdirSync(dir)
  .filter((f) => /\.(ya?ml|kql)$/i.test(f))
  .sort()
  .map((file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    if (/\.kql$/i.test(file)) return { file, query: text };
    try {
      return { file, query: String(parse(text)?.query ?? '') };
    } catch (error) {
      return { file, query: '', broken: `the YAML does not parse (${String(error?.message ?? error).split('\n')[0]})` };
    }
  });

const outcomes = { runs: 0, unsupported: 0, invalid: 0, internal: 0 };
const refused = new Map();
for (const { file, query, broken } of rules) {
  let line;
  try {
    if (broken) throw Object.assign(new Error(broken), { code: 'invalid' });
    const result = await evaluateQuery(query, { tables, schemas, now: clockFor(query) });
    outcomes.runs++;
    line = `runs (${result.rows.length} rows)`;
  } catch (error) {
    const code = error?.code ?? 'internal';
    outcomes[code] = (outcomes[code] ?? 0) + 1;
    const message = String(error?.message ?? error).split('\n')[0];
    if (code === 'unsupported') {
      const construct = message.replace(/ is not supported by the offline evaluator.*/, '');
      refused.set(construct, (refused.get(construct) ?? 0) + 1);
    }
    line = `${code}: ${message.slice(0, 200)}`;
  }
  console.log(`${file.replace(/\.(ya?ml|kql)$/i, '').padEnd(72)} ${line}`);
}
const total = rules.length;
const pct = (n) => `${((100 * n) / Math.max(1, total)).toFixed(0)}%`;
console.log(`\n${total} rules: ${outcomes.runs} run (${pct(outcomes.runs)}), ${outcomes.unsupported} unsupported (${pct(outcomes.unsupported)}), ${outcomes.invalid} invalid (${pct(outcomes.invalid)})${outcomes.internal ? `, ${outcomes.internal} internal errors` : ''}`);
const analysable = outcomes.runs + outcomes.unsupported;
if (analysable) console.log(`of the ${analysable} that analyse against the schemas: ${((100 * outcomes.runs) / analysable).toFixed(0)}% run`);
for (const [construct, count] of [...refused].sort((a, b) => b[1] - a[1])) console.log(`  refused ${count}x: ${construct}`);
