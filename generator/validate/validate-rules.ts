import { formatPath, type Finding, type SourceLocation } from '../findings.js';
import type { RuleOverride } from '../manifest/types.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { analyzeQuery, type QueryAnalysis } from './analyze-query.js';
import { allowedKindFindings } from './rule-kind.js';
import { checkCreatesIncident, checkNrtSchedule, checkSentinelLimits, placeholders, type Locator } from './sentinel-limits.js';

export interface ValidateOptions {
  globals: Kusto.Language.GlobalState;
  /** Where a manifest path is, for findings about settings the manifest overrode. */
  locateInManifest?: (segments: readonly (string | number)[]) => SourceLocation;
  /** Told after each query is analysed (a progress line). */
  onAnalysed?: () => void;
}

export interface RuleValidation {
  rule: RenderedRule;
  analysis: QueryAnalysis;
}

/** Sentinel allows no more than this many near-real-time rules per customer. */
export const MAX_NRT_RULES = 50;

/** Every check on every rendered rule; all offenders are collected, nothing stops at the first. */
export function validateRules(rules: readonly RenderedRule[], options: ValidateOptions): { findings: Finding[]; results: RuleValidation[] } {
  const findings: Finding[] = nrtCountFindings(rules);
  const results: RuleValidation[] = [];
  const at: Locator = (rule, field, segments) => {
    if (options.locateInManifest && rule.overridden.includes(field as keyof RuleOverride)) {
      const path = ['rules', rule.id, field];
      return { path: formatPath(path), location: options.locateInManifest(path) };
    }
    return { path: formatPath(segments), location: { file: rule.source.file, line: rule.source.lineOf(segments) } };
  };
  for (const rule of rules) {
    const analysis = analyzeQuery(rule.query.text, options.globals);
    options.onAnalysed?.();
    results.push({ rule, analysis });
    findings.push(...kustoFindings(rule, analysis), ...outputColumnFindings(rule, analysis, at), ...checkSentinelLimits(rule, at), ...checkNrtSchedule(rule, at), ...checkCreatesIncident(rule, at), ...allowedKindFindings(rule, at));
  }
  return { findings, results };
}

/** Sentinel's limit on enabled near-real-time rules, over the whole set. */
export function nrtCountFindings(rules: readonly RenderedRule[]): Finding[] {
  const findings: Finding[] = [];
  const nrt = rules.filter((r) => r.kind === 'nrt' && r.enabled);
  if (nrt.length > MAX_NRT_RULES) {
    findings.push({
      severity: 'error',
      code: 'sentinel/nrt-count',
      message: `${nrt.length} enabled near-real-time rules; Sentinel allows ${MAX_NRT_RULES}`,
      hint: 'Switch some rules to scheduled in the manifest (rules.<id>.kind: scheduled).',
      ...(nrt[MAX_NRT_RULES] ? { ruleId: nrt[MAX_NRT_RULES]!.id, location: { file: nrt[MAX_NRT_RULES]!.source.file, line: nrt[MAX_NRT_RULES]!.source.lineOf(['kind']) } } : {}),
    });
  }
  return findings;
}

function queryLocation(rule: RenderedRule, line: number, column: number): SourceLocation {
  const templateLine = rule.query.templateLine[line - 1] ?? 1;
  const start = rule.source.queryStart;
  return { file: rule.source.file, line: start.line + templateLine - 1, column: start.column + column - 1 };
}

function kustoFindings(rule: RenderedRule, analysis: QueryAnalysis): Finding[] {
  const findings: Finding[] = analysis.diagnostics.map((d) => ({
    severity: d.severity,
    code: `kql/${d.code}`,
    ruleId: rule.id,
    message: `${rule.id}: ${d.message} (rendered query line ${d.line}, column ${d.column}: ${excerpt(rule.query.text, d.offset, d.length)})`,
    path: 'query',
    location: queryLocation(rule, d.line, d.column),
  }));
  if (rule.kind === 'nrt') {
    for (const call of analysis.crossResource) {
      findings.push({
        severity: 'error',
        code: 'sentinel/nrt-cross-workspace',
        ruleId: rule.id,
        message: `${rule.id}: ${call.call} reaches outside the workspace; near-real-time rules run within a single workspace`,
        hint: "Make the rule scheduled (rules.<id>.kind: scheduled in the manifest) or query only this workspace's tables.",
        path: 'query',
        location: queryLocation(rule, call.line, call.column),
      });
    }
  }
  for (const scan of analysis.scansAllTables) {
    findings.push({
      severity: 'error',
      code: 'sentinel/full-scan',
      ruleId: rule.id,
      message: `${rule.id}: '${scan.operator}' makes the rule read every table; Sentinel does not allow it in analytics rules`,
      hint: 'Name the tables the rule reads.',
      path: 'query',
      location: queryLocation(rule, scan.line, scan.column),
    });
  }
  return findings;
}

function outputColumnFindings(rule: RenderedRule, analysis: QueryAnalysis, at: Locator): Finding[] {
  const columns = analysis.outputColumns;
  // Without a result schema the Kusto errors above already say why.
  if (!columns) return [];
  const findings: Finding[] = [];
  const t = rule.template;
  const known = [...columns.keys()];
  const missing = (column: string, what: string, segments: (string | number)[], field: string) =>
    findings.push({
      severity: 'error',
      code: 'sentinel/unknown-column',
      ruleId: rule.id,
      message: `${rule.id}: ${what} uses column '${column}', which the query does not output`,
      hint: `The query outputs: ${known.join(', ')}.`,
      ...at(rule, field, segments),
    });
  t.entityMappings.forEach((mapping, i) =>
    mapping.fieldMappings.forEach((f, j) => {
      const type = columns.get(f.columnName);
      if (type === undefined) missing(f.columnName, `entity mapping ${mapping.entityType}.${f.identifier}`, ['entityMappings', i, 'fieldMappings', j, 'columnName'], 'entityMappings');
      else if (type === 'dynamic') {
        findings.push({
          severity: 'error',
          code: 'sentinel/entity-column-type',
          ruleId: rule.id,
          message: `${rule.id}: entity mapping ${mapping.entityType}.${f.identifier} maps column '${f.columnName}' of type dynamic; Sentinel needs a scalar`,
          hint: `Output tostring(${f.columnName}) under its own name.`,
          ...at(rule, 'entityMappings', ['entityMappings', i, 'fieldMappings', j, 'columnName']),
        });
      }
    }),
  );
  for (const [key, column] of Object.entries(t.customDetails ?? {})) {
    if (!columns.has(column)) missing(column, `custom detail '${key}'`, ['customDetails', key], 'customDetails');
  }
  for (const field of ['alertDisplayNameFormat', 'alertDescriptionFormat'] as const) {
    const format = t.alertDetailsOverride?.[field];
    for (const column of format ? placeholders(format) : []) {
      if (!columns.has(column)) missing(column, `${field} placeholder {{${column}}}`, ['alertDetailsOverride', field], 'alertDetailsOverride');
    }
  }
  return findings;
}

function excerpt(text: string, offset: number, length: number): string {
  const piece = text.slice(offset, offset + Math.max(length, 1)).split('\n')[0]!;
  return piece.length > 0 ? JSON.stringify(piece.length > 60 ? `${piece.slice(0, 57)}...` : piece) : 'end of query';
}
