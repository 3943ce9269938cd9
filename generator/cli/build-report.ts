import { countBySeverity, type Finding } from '../findings.js';
import { packageVersion } from '../package-info.js';
import { sarifReport } from '../report/sarif-report.js';
import { colorsFor, findingTotals, formatFindings, type Colors } from '../report/text-report.js';
import type { BuildResult } from '../build.js';
import type { WriteOutcome } from '../io/write-files.js';
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
export function buildReport(args: CliArgs, io: ReportIo, result: BuildResult, findings: Finding[], failed: boolean, outDisplay: string, write?: WriteOutcome): void {
  const written = write?.state === 'written' ? write : undefined;
  const refused = write?.state === 'refused' ? write.conflicts : [];
  if (args.format === 'sarif') {
    io.stdout.write(`${JSON.stringify(sarifReport(findings, packageVersion()), null, 2)}\n`);
    return;
  }
  if (args.format === 'json') {
    const json = {
      ok: !failed && refused.length === 0,
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
      files: written ? result.files.map((f) => `${outDisplay}/${f.path}`) : [],
      ...(args.command === 'render'
        ? {
            removed: (written?.removed ?? []).map((p) => `${outDisplay}/${p}`),
            kept: (written?.kept ?? []).map((p) => `${outDisplay}/${p}`),
            refused: refused.map((c) => ({ file: `${outDisplay}/${c.path}`, reason: c.why })),
          }
        : {}),
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
    if (failed) lines.push(`nothing written to ${outDisplay}/ (fix the errors above${countBySeverity(findings).error === 0 ? ', or pass --allow-warnings' : ''})`);
    else if (refused.length > 0) {
      io.stderr.write(`${refused.map((c) => `${outDisplay}/${c.path}: ${c.why}`).join('\n')}\n`);
      lines.push(
        refused.some((c) => c.why === 'a folder is there')
          ? `nothing written to ${outDisplay}/: a folder stands where a file goes (listed above); move it away or choose another --out`
          : `nothing written to ${outDisplay}/: ${refused.length} file${refused.length === 1 ? '' : 's'} there would be overwritten that breakglass did not write (listed above); move ${refused.length === 1 ? 'it' : 'them'} away, choose another --out, or pass --force to overwrite`,
      );
    } else if (written) {
      lines.push(`wrote ${result.files.length} files to ${outDisplay}/${written.unchanged.length > 0 ? ` (${written.unchanged.length} already up to date)` : ''}`);
      if (written.removed.length > 0) lines.push(`removed ${written.removed.length} file${written.removed.length === 1 ? '' : 's'} it wrote before that are no longer rendered: ${written.removed.map((p) => `${outDisplay}/${p}`).join(', ')}`);
      for (const p of written.kept) lines.push(`kept ${outDisplay}/${p}: no longer rendered, but changed since breakglass wrote it (delete it yourself if it is not needed)`);
      lines.push(DIAGNOSTIC_SETTINGS_NOTE(outDisplay));
    }
  } else if (failed && countBySeverity(findings).error === 0) {
    lines.push('failed on warnings (pass --allow-warnings to accept them)');
  }
  io.stdout.write(`${lines.join('\n')}\n`);
}
