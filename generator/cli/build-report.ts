import { countBySeverity, type Finding } from '../findings.js';
import { packageVersion } from '../package-info.js';
import { sarifReport } from '../report/sarif-report.js';
import { colorsFor, findingTotals, formatFindings, type Colors } from '../report/text-report.js';
import type { BuildResult } from '../build.js';
import type { CliArgs } from './parse-cli.js';

export interface ReportIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/**
 * A tenant whose workspace already gets the Entra ID logs (Sentinel's Microsoft Entra ID data
 * connector creates a diagnostic setting for the same categories) must not deploy a second one:
 * every record, and so every alert, would arrive twice.
 */
export const DIAGNOSTIC_SETTINGS_NOTE = (out: string) =>
  `note: deploy ${out}/arm/diagnostic-settings.json only if no diagnostic setting (the Microsoft Entra ID data connector makes one) already sends SignInLogs, NonInteractiveUserSignInLogs and AuditLogs to the workspace: a second one doubles every record and every alert`;

/** What render and validate print: findings, a line per rule, and what was written (text, JSON or SARIF). */
export function buildReport(args: CliArgs, io: ReportIo, result: BuildResult, findings: Finding[], failed: boolean, outDisplay: string): void {
  if (args.format === 'sarif') {
    io.stdout.write(`${JSON.stringify(sarifReport(findings, packageVersion()), null, 2)}\n`);
    return;
  }
  if (args.format === 'json') {
    const json = {
      ok: !failed,
      command: args.command,
      manifest: args.manifest,
      accountSource: result.rendered?.accountSource ?? null,
      rules: result.validations.map(({ rule, analysis }) => ({
        id: rule.id,
        guid: rule.guid,
        kind: rule.apiKind,
        enabled: rule.enabled,
        severity: rule.severity,
        queryLength: rule.query.text.length,
        outputColumns: analysis.outputColumns ? Object.fromEntries(analysis.outputColumns) : null,
      })),
      files: args.command === 'render' && !failed ? result.files.map((f) => `${outDisplay}/${f.path}`) : [],
      queriesAnalysed: result.analysedQueries.length,
      findings,
      summary: countBySeverity(findings),
    };
    io.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  const colors: Colors = colorsFor(io.stdout);
  const errColors: Colors = colorsFor(io.stderr);
  if (findings.length > 0) io.stderr.write(`${formatFindings(findings, errColors)}\n\n`);
  const lines: string[] = [];
  const manifest = result.manifest;
  if (manifest && result.rendered) {
    lines.push(`${args.manifest}: ${manifest.accounts.length} account${manifest.accounts.length === 1 ? '' : 's'}, account lists ${result.rendered.accountSource === 'inline' ? 'inline in each query' : 'read from a watchlist'}`);
    const errorsByRule = new Map<string, number>();
    for (const f of findings) if (f.ruleId && f.severity === 'error') errorsByRule.set(f.ruleId, (errorsByRule.get(f.ruleId) ?? 0) + 1);
    for (const { rule, analysis } of result.validations) {
      const errors = errorsByRule.get(rule.id) ?? 0;
      const state = errors > 0 ? colors.red(`${errors} error${errors === 1 ? '' : 's'}`) : 'ok';
      lines.push(`  ${rule.id.padEnd(28)} ${rule.apiKind.padEnd(9)} ${rule.severity.padEnd(13)} ${rule.enabled ? 'enabled ' : 'disabled'} ${String(rule.query.text.length).padStart(5)} chars  ${String(analysis.outputColumns?.size ?? 0).padStart(2)} columns  ${state}`);
    }
  }
  lines.push(`${result.validations.length} rules validated with Kusto.Language against the workspace schema: ${findingTotals(findings)}`);
  if (args.command === 'render') {
    lines.push(failed ? `nothing written to ${outDisplay}/ (fix the errors above${countBySeverity(findings).error === 0 ? ', or pass --allow-warnings' : ''})` : `wrote ${result.files.length} files to ${outDisplay}/`);
    if (!failed) lines.push(DIAGNOSTIC_SETTINGS_NOTE(outDisplay));
  } else if (failed && countBySeverity(findings).error === 0) {
    lines.push('failed on warnings (pass --allow-warnings to accept them)');
  }
  io.stdout.write(`${lines.join('\n')}\n`);
}
