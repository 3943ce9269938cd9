// npm run bench: offline evaluator throughput, the sign-in rule over 1,000,000 synthetic sign-ins.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ROWS = Number(process.env.BENCH_EVAL_ROWS ?? 1_000_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const dist = (path) => import(join(root, 'dist/generator', path));
const { readCatalog } = await dist('catalog/read-catalog.js');
const { parseManifest } = await dist('manifest/parse-manifest.js');
const { renderRulesWith } = await dist('render/render-rules.js');
const { workspaceGlobals, LOG_ANALYTICS_TABLES } = await dist('validate/kusto-schema.js');
const { compileQuery } = await dist('evaluate/evaluate-query.js');
const { tableFromRecords } = await dist('evaluate/input-rows.js');
const { watchlistTables } = await dist('rule-tests/watchlist-tables.js');

const { catalog } = await readCatalog([join(root, 'analytics-rules')], root);
const manifest = parseManifest(readFileSync(join(root, 'examples/accounts.yaml'), 'utf8'), 'examples/accounts.yaml', catalog.rules.map((r) => r.template.id)).manifest;
const globals = workspaceGlobals();
const now = Date.parse('2026-11-20T10:00:00Z');

// Half interactive, half non-interactive (dynamic columns as JSON text there, as in the real table);
// one sign-in in a thousand is a break-glass account's, one in three a failure.
function records(count, interactive) {
  const out = new Array(count);
  for (let i = 0; i < count; i++) {
    const breakGlass = i % 1000 === 0 ? manifest.accounts[i % manifest.accounts.length] : undefined;
    const location = { city: 'Amsterdam', state: 'Noord-Holland', countryOrRegion: i % 7 === 0 ? 'US' : 'NL' };
    const device = { deviceId: '', operatingSystem: 'Windows10', browser: 'Edge 131.0.0' };
    out[i] = {
      TimeGenerated: new Date(now - (i % 240_000)).toISOString(),
      UserId: breakGlass ? breakGlass.objectId : `00000000-0000-4000-8000-${(i % 50_000).toString(16).padStart(12, '0')}`,
      UserPrincipalName: breakGlass ? breakGlass.userPrincipalName : `user${i % 50_000}@contoso.com`,
      ResultType: i % 3 === 0 ? '50126' : '0',
      IPAddress: `198.51.${(i >> 8) & 255}.${i & 255}`,
      AppId: 'c44b4083-3bb0-49c1-b47d-974e53cbdf3c',
      AppDisplayName: 'Azure Portal',
      ClientAppUsed: 'Browser',
      LocationDetails: interactive ? location : JSON.stringify(location),
      DeviceDetail: interactive ? device : JSON.stringify(device),
      CorrelationId: `c0ffee00-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    };
  }
  return out;
}

const half = Math.floor(ROWS / 2);
const interactive = records(half, true);
const nonInteractive = records(ROWS - half, false);
let start = process.hrtime.bigint();
const tables = new Map([
  ['SigninLogs', tableFromRecords(interactive, LOG_ANALYTICS_TABLES.SigninLogs, 'SigninLogs')],
  ['AADNonInteractiveUserSignInLogs', tableFromRecords(nonInteractive, LOG_ANALYTICS_TABLES.AADNonInteractiveUserSignInLogs, 'AADNonInteractiveUserSignInLogs')],
]);
const typingMs = Number(process.hrtime.bigint() - start) / 1e6;

const results = [];
for (const source of ['inline', 'watchlist']) {
  const rule = renderRulesWith(manifest, catalog, source).rules.find((r) => r.id === 'signin-success');
  const query = compileQuery(rule.query.text, globals);
  const watchlists = watchlistTables(manifest);
  const times = [];
  let fired = 0;
  for (let i = 0; i < RUNS; i++) {
    start = process.hrtime.bigint();
    fired = query.run({ tables, watchlists, now }).rows.length;
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  results.push({ source, median, min: times[0], rowsPerSecond: Math.round(ROWS / (median / 1000)), fired });
}

console.log(`\nOffline evaluator: signin-success over ${ROWS.toLocaleString('en')} synthetic sign-ins (half interactive, half non-interactive), median of ${RUNS} runs, one core`);
console.log(`  typing the records (JSON -> Kusto values): ${typingMs.toFixed(0)} ms, ${Math.round(ROWS / (typingMs / 1000)).toLocaleString('en')} rows/s (once per replay, not per rule)`);
for (const r of results) {
  console.log(`  accounts ${r.source.padEnd(9)} ${r.median.toFixed(0).padStart(5)} ms (min ${r.min.toFixed(0)})  ${r.rowsPerSecond.toLocaleString('en').padStart(11)} rows/s  ${r.fired} rows returned  ${r.rowsPerSecond >= 1_000_000 ? 'goal met (>= 1,000,000 rows/s)' : 'BELOW the goal of 1,000,000 rows/s'}`);
}

// replay --history: every rule on its schedule over 14 days of sign-ins, as a SOC would replay an export.
const { replayHistory } = await dist('rule-tests/replay-history.js');
const HISTORY_ROWS = Number(process.env.BENCH_HISTORY_ROWS ?? 200_000);
const DAYS = 14;
function spread(list) {
  return list.map((record, i) => ({ ...record, TimeGenerated: new Date(now - Math.floor((i * DAYS * 86_400_000) / list.length)).toISOString() }));
}
const historyTables = new Map([
  ['SigninLogs', tableFromRecords(spread(records(HISTORY_ROWS / 2, true)), LOG_ANALYTICS_TABLES.SigninLogs, 'SigninLogs')],
  ['AADNonInteractiveUserSignInLogs', tableFromRecords(spread(records(HISTORY_ROWS / 2, false)), LOG_ANALYTICS_TABLES.AADNonInteractiveUserSignInLogs, 'AADNonInteractiveUserSignInLogs')],
]);
const allRules = renderRulesWith(manifest, catalog, 'inline').rules;
start = process.hrtime.bigint();
const history = replayHistory(allRules, manifest, historyTables, globals);
const historyMs = Number(process.hrtime.bigint() - start) / 1e6;
const runs = history.rules.reduce((n, r) => n + r.runs, 0);
const alerts = history.rules.reduce((n, r) => n + r.alerts.length, 0);
console.log(`\nreplay --history: ${history.rules.length} rules on their schedules over ${DAYS} days of ${HISTORY_ROWS.toLocaleString('en')} sign-ins`);
console.log(`  ${runs.toLocaleString('en')} runs in ${historyMs.toFixed(0)} ms (${Math.round(runs / (historyMs / 1000)).toLocaleString('en')} runs/s), ${alerts} alerts`);

// Notifications per use of an account over the real records in test/fixtures/real-logs (goal: 1):
// replay --history as a user runs it, with the incidents Sentinel would group and the playbook's notifications.
const { eventsTable, mergeTables } = await dist('rule-tests/event-records.js');
const { recordsOfText } = await dist('replay-input/read-records.js');
const { accountUses } = await dist('rule-tests/account-uses.js');
const { attachIngestionTimes } = await dist('rule-tests/ingestion-time.js');
const { modelHistory, notificationsPerUse } = await dist('rule-tests/history-model.js');
const realManifest = parseManifest(readFileSync(join(root, 'test/fixtures/manifests/real-log-users.yaml'), 'utf8'), 'real-log-users.yaml', catalog.rules.map((r) => r.template.id)).manifest;
const realParts = [
  ['SigninLogs', 'test/fixtures/real-logs/msticpy_aad_logons_SigninLogs.LA.json'],
  ['AuditLogs', 'test/fixtures/real-logs/otrf_goldensaml_AADAuditEvents.LA.json'],
].map(([table, file]) => {
  const rows = eventsTable(recordsOfText(readFileSync(join(root, file), 'utf8'), file), table, LOG_ANALYTICS_TABLES, file);
  attachIngestionTimes(rows, file);
  return { table, rows };
});
const realEvents = mergeTables(realParts);
const realRules = renderRulesWith(realManifest, catalog, 'inline').rules;
start = process.hrtime.bigint();
const realHistory = replayHistory(realRules, realManifest, realEvents, globals);
const model = modelHistory(realRules, realManifest, realHistory, accountUses(realManifest, realEvents));
const realMs = Number(process.hrtime.bigint() - start) / 1e6;
const perUse = notificationsPerUse(model);
const uses = model.accounts.reduce((n, a) => n + (a.objectId ? a.uses : 0), 0);
const notified = model.accounts.reduce((n, a) => n + (a.objectId && a.uses > 0 ? a.notifications : 0), 0);
console.log(`\nnotifications per use of an account, replay --history over the real records in test/fixtures/real-logs (${realParts.map((p) => `${p.rows.rows.length} ${p.table}`).join(', ')})`);
console.log(`  ${perUse === undefined ? 'no use' : perUse.toFixed(2)} (${notified} notifications for ${uses} uses; ${model.alerts.length} alerts, ${model.incidents.length} incidents; ${realHistory.rules.reduce((n, r) => n + r.runs, 0).toLocaleString('en')} runs in ${realMs.toFixed(0)} ms)  ${perUse === 1 ? 'goal met (1 per use)' : 'ABOVE the goal of 1 per use'}`);
