import type { Catalog } from '../catalog/rule-template.js';
import type { Finding } from '../findings.js';
import type { AccountSource, Manifest, RuleKind } from '../manifest/types.js';
import { durationMinutes } from './durations.js';
import { queryContext } from './query-context.js';
import { contextPaths, renderQueryTemplate, unknownValues, type PartialName, type QueryContext, type RuleQueryContext } from './query-template.js';
import { resolveRules, type ResolvedRule } from './resolve-rules.js';
import { sentinelRule, type RenderedRule } from './sentinel-rule.js';

/** Sentinel rejects a rule whose query is longer than this. */
export const MAX_QUERY_LENGTH = 10_000;

export interface RenderedRules {
  rules: RenderedRule[];
  accountSource: AccountSource;
  findings: Finding[];
  /** The inline rendering, when it was made on the way to choosing the watchlist. */
  inline?: RenderedRules;
}

/**
 * Renders every catalog rule for the manifest. Pure. When the manifest does not choose an account
 * source and the account lists would push a query past Sentinel's length limit, the rules read
 * the accounts from a watchlist instead, and a notice says so.
 */
export function renderRules(manifest: Manifest, catalog: Catalog, manifestFile: string): RenderedRules {
  const requested = manifest.accountSource;
  const first = renderRulesWith(manifest, catalog, requested ?? 'inline');
  if (requested !== undefined || first.rules.every((r) => r.query.text.length <= MAX_QUERY_LENGTH)) return first;
  const longest = Math.max(...first.rules.map((r) => r.query.text.length));
  const second: RenderedRules = { ...renderRulesWith(manifest, catalog, 'watchlist'), inline: first };
  second.findings.unshift({
    severity: 'notice',
    code: 'render/watchlist-chosen',
    message: `with ${manifest.accounts.length} accounts written inline the longest query would be ${longest} characters (Sentinel's limit is ${MAX_QUERY_LENGTH}); the rules read the accounts from the watchlist instead`,
    hint: 'push creates the watchlist, or deploy arm/watchlist.json (its alias is the one the rules read); set accountSource: watchlist to make this choice explicit. The CSV in watchlist/ is for people: cells that would run as spreadsheet formulas carry a leading apostrophe there.',
    path: 'accountSource',
    location: { file: manifestFile },
  });
  return second;
}

/**
 * The partials a query may use, for an account source and a rule kind; missing ones are findings.
 * Files in analytics-rules/_partials: accounts-<source>, accounts-table-<source>,
 * new-records-<kind>, signin-interrupts, self-service-reset.
 */
export function queryPartials(catalog: Catalog, source: AccountSource, kind: RuleKind = 'nrt'): { partials: Record<PartialName, string>; findings: Finding[] } {
  const partials: Partial<Record<PartialName, string>> = {};
  const findings: Finding[] = [];
  const files: [PartialName, string][] = [
    ['accounts', `accounts-${source}`],
    ['accountsTable', `accounts-table-${source}`],
    ['newRecords', `new-records-${kind}`],
    ['signinInterrupts', 'signin-interrupts'],
    ['selfServiceReset', 'self-service-reset'],
  ];
  for (const [name, file] of files) {
    const text = catalog.partials[file];
    if (text === undefined) {
      findings.push({ severity: 'error', code: 'catalog/missing-partial', message: `the rule catalog has no _partials/${file}.kql.hbs`, hint: 'Restore the partial from the package.' });
    } else partials[name] = text;
  }
  return { partials: partials as Record<PartialName, string>, findings };
}

/** The values a rule's query reads: the manifest's, and the rule's own schedule. */
export function ruleQueryContext(context: QueryContext, rule: Pick<ResolvedRule, 'queryFrequency'>): RuleQueryContext {
  return { ...context, schedule: { frequencyMinutes: durationMinutes(rule.queryFrequency) } };
}

/** Renders every rule with the given account source. Pure. */
export function renderRulesWith(manifest: Manifest, catalog: Catalog, source: AccountSource): RenderedRules {
  const byKind = { nrt: queryPartials(catalog, source, 'nrt'), scheduled: queryPartials(catalog, source, 'scheduled') };
  const missing = [...byKind.nrt.findings, ...byKind.scheduled.findings.filter((f) => !byKind.nrt.findings.some((n) => n.message === f.message))];
  if (missing.length > 0) return { rules: [], accountSource: source, findings: missing };
  const findings: Finding[] = [];
  const context = queryContext(manifest);
  const rules: RenderedRule[] = [];
  // Partials are checked with a schedule of 5 minutes: a path they lack is missing for every rule.
  const partialContext = ruleQueryContext(context, { queryFrequency: '5m' });
  const unknownInPartial = (['nrt', 'scheduled'] as const).flatMap((kind) =>
    Object.entries(byKind[kind].partials).flatMap(([name, text]) => unknownValues(text, partialContext).map((problem) => ({ name, problem }))),
  );
  for (const { name, problem } of unknownInPartial) {
    findings.push({ severity: 'error', code: 'render/unknown-value', message: `{{> ${name}}}: ${problem.message}`, location: { file: `analytics-rules/_partials`, line: problem.line, column: problem.column + 1 } });
  }
  for (const rule of resolveRules(manifest, catalog.rules)) {
    const ruleContext = ruleQueryContext(context, rule);
    const unknown = unknownValues(rule.template.query, ruleContext);
    for (const problem of unknown) {
      findings.push({
        severity: 'error',
        code: 'render/unknown-value',
        ruleId: rule.id,
        message: `${rule.id}: ${problem.message}`,
        path: 'query',
        location: { file: rule.source.file, line: rule.source.queryStart.line + problem.line - 1, column: rule.source.queryStart.column + problem.column },
      });
    }
    if (unknown.length > 0 || unknownInPartial.length > 0) continue;
    try {
      rules.push(sentinelRule(rule, renderQueryTemplate(rule.template.query, byKind[rule.kind].partials, ruleContext), manifest.idNamespace));
    } catch (error) {
      findings.push({
        severity: 'error',
        code: 'render/template',
        ruleId: rule.id,
        message: `query template of '${rule.id}' does not render: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
        hint: `Every {{kql ...}} must name a value the query context has (${contextPaths(ruleContext).join(', ')}).`,
        location: { file: rule.source.file, line: rule.source.queryStart.line },
        path: 'query',
      });
    }
  }
  return { rules, accountSource: source, findings };
}
