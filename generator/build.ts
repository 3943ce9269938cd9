import type { ArmValue } from './arm/arm-json.js';
import type { Catalog } from './catalog/rule-template.js';
import { hasErrors, type Finding, type SourceLocation } from './findings.js';
import { parseManifest } from './manifest/parse-manifest.js';
import type { Manifest } from './manifest/types.js';
import { checkPlaybook } from './playbook/check-playbook.js';
import { checkReminder } from './playbook/check-reminder.js';
import type { PlaybookSource } from './playbook/playbook-definition.js';
import { azureMonitorTemplate, MAX_LOG_ALERT_PROPERTIES_BYTES, oversizedAlertRules, type AlertRuleTooLarge } from './render/azure-monitor-alerts.js';
import { outputFiles, type OutputFile } from './render/output-files.js';
import { renderRules, renderRulesWith, type RenderedRules } from './render/render-rules.js';
import { ssprExclusionRule } from './render/sspr-exclusion-rule.js';
import { validateRules, type RuleValidation } from './validate/validate-rules.js';
import { validateWorkbook } from './validate/validate-workbook.js';
import { renderWorkbook, substituteWorkbookParameters, type RenderedWorkbook, workbookContext, workbookResource, workbookTemplate } from './workbook/render-workbook.js';
import type { ParsedWorkbook, WorkbookTemplate } from './workbook/workbook-template.js';
import { locate } from './yaml-source.js';

export interface BuildInput {
  manifestText: string;
  manifestFile: string;
  catalog: Catalog;
  playbook: PlaybookSource;
  workbook: ParsedWorkbook;
  /** Kusto global state with the workspace tables (a seam: tests and benchmarks pass their own). */
  globals: Kusto.Language.GlobalState;
  /** Told after each query Kusto.Language has analysed, for a progress line. */
  onAnalysed?: (done: number, total: number) => void;
}

export interface BuildResult {
  manifest?: Manifest;
  rendered?: RenderedRules;
  /** What push needs besides the manifest and the rules (present when there are no errors). */
  workbookResource?: ArmValue;
  /** The workbook as rendered for this manifest (present when there are no errors); preview runs it. */
  workbook?: { template: WorkbookTemplate; rendered: RenderedWorkbook };
  /** Every query text given to the Kusto analyser (rules, their inline variants, workbook queries). */
  analysedQueries: string[];
  validations: RuleValidation[];
  files: OutputFile[];
  findings: Finding[];
}

/** manifest text -> typed manifest -> rendered content -> validation -> files. Pure: no I/O. */
/** The notice that azure-monitor/alerts.json is left out, and why. */
function azureMonitorRefused(manifest: Manifest, oversized: readonly AlertRuleTooLarge[], manifestFile: string): Finding {
  const first = oversized[0]!;
  return {
    severity: 'notice',
    code: 'render/azure-monitor-too-large',
    message: `azure-monitor/alerts.json is not written: with ${manifest.accounts.length} accounts written into each query, Azure Monitor would refuse ${new Set(oversized.map((o) => o.ruleId)).size} of its log alert rules (${first.ruleId}: ${first.what}${oversized.length > 1 ? ', ...' : ''})`,
    hint: `Azure Monitor allows ${MAX_LOG_ALERT_PROPERTIES_BYTES / 1024} KB per log alert rule and has no watchlists, so its alerts cannot hold this many accounts; the Sentinel rules are not affected. Splitting the accounts would change what some rules detect (a Conditional Access policy must exclude all of them), so it is not done.`,
    path: 'accounts',
    location: { file: manifestFile },
  };
}

export function build(input: BuildInput): BuildResult {
  const ruleIds = input.catalog.rules.map((r) => r.template.id);
  const parsed = parseManifest(input.manifestText, input.manifestFile, ruleIds);
  const findings = [...parsed.findings, ...input.workbook.findings];
  if (!parsed.manifest || !parsed.source) return { validations: [], files: [], findings, analysedQueries: [] };
  const manifest = parsed.manifest;
  const source = parsed.source;
  const locateInManifest = (segments: readonly (string | number)[]): SourceLocation => ({ file: input.manifestFile, ...locate(source, segments, { key: true }) });

  const rendered = renderRules(manifest, input.catalog, input.manifestFile);
  findings.push(...rendered.findings);
  // Azure Monitor has no watchlists: its alerts always carry the accounts inline. Alerts it would
  // refuse for their size are not written (nor analysed: thousands of ids inline are the slow part).
  const inline = rendered.accountSource === 'inline' ? rendered : (rendered.inline ?? renderRulesWith(manifest, input.catalog, 'inline'));
  const alerts = azureMonitorTemplate(manifest, inline.rules);
  const oversized = oversizedAlertRules(alerts);
  const analyseInline = inline !== rendered && oversized.length === 0;
  const workbook = input.workbook.workbook ? { ...input.workbook, workbook: input.workbook.workbook } : undefined;
  const renderedWorkbook = workbook ? renderWorkbook(workbook, input.catalog, rendered.accountSource, workbookContext(manifest, rendered.rules)) : undefined;

  const total = rendered.rules.length + (analyseInline ? inline.rules.length : 0) + (renderedWorkbook?.queries.length ?? 0);
  let done = 0;
  const onAnalysed = input.onAnalysed ? () => input.onAnalysed!(++done, total) : undefined;
  const { findings: ruleFindings, results } = validateRules(rendered.rules, { globals: input.globals, locateInManifest, ...(onAnalysed ? { onAnalysed } : {}) });
  findings.push(...ruleFindings);
  if (oversized.length > 0) findings.push(azureMonitorRefused(manifest, oversized, input.manifestFile));
  else if (analyseInline) findings.push(...inline.findings, ...validateRules(inline.rules, { globals: input.globals, ...(onAnalysed ? { onAnalysed } : {}) }).findings.filter((f) => f.code.startsWith('kql/')));

  findings.push(...checkPlaybook(manifest, rendered.rules, input.playbook), ...checkReminder(manifest, input.playbook, input.globals));
  const sspr = ssprExclusionRule(manifest, input.manifestFile);
  findings.push(...sspr.findings);

  if (workbook && renderedWorkbook) findings.push(...renderedWorkbook.findings, ...validateWorkbook(renderedWorkbook, workbook, input.globals, onAnalysed));
  const analysedQueries = [
    ...rendered.rules.map((r) => r.query.text),
    ...(analyseInline ? inline.rules.map((r) => r.query.text) : []),
    ...(renderedWorkbook?.queries.map((q) => substituteWorkbookParameters(q.query.text).text) ?? []),
  ];

  if (hasErrors(findings) || !workbook || !renderedWorkbook) return { manifest, rendered, validations: results, files: [], findings, analysedQueries };
  const resource = workbookResource(manifest, workbook, renderedWorkbook.notebook);
  const files = outputFiles({
    manifest,
    rendered,
    ...(oversized.length === 0 ? { azureMonitor: alerts } : {}),
    playbook: input.playbook,
    workbook: { template: workbookTemplate(manifest, workbook, renderedWorkbook.notebook), resource },
    ssprRule: sspr.text,
  });
  return { manifest, rendered, workbookResource: resource, workbook: { template: workbook.workbook, rendered: renderedWorkbook }, validations: results, files, findings, analysedQueries };
}
