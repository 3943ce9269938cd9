import type { Finding } from '../findings.js';
import type { Manifest } from '../manifest/types.js';
import { sarifReport, type SarifLog } from '../report/sarif-report.js';
import type { Colors } from '../report/text-report.js';
import { locate, type YamlSource } from '../yaml-source.js';
import type { CheckResult, CheckStatus } from './check-result.js';

/**
 * What Graph cannot tell, said in every report (text, JSON) so a green run is not read as more
 * than it proves.
 */
export const NOT_CHECKED: readonly string[] = [
  'whether anyone knows the passwords and where the FIDO2 keys are: test the accounts (breakglass drill)',
  'whether a certificate or smart card for certificate-based sign-in exists: Graph shows only certificateUserIds and the method policy',
  'the exact last successful interactive sign-in: signInActivity keeps the last interactive attempt (successful or not) and the last success (interactive or not), so the validation date is the earlier of the two, an upper bound (the reminder playbook and drill read interactive sign-ins from the workspace)',
  'hardware OATH tokens: the v1.0 methods list returns only the method types of v1.0, which has none for them, so weak-methods cannot see one',
  'per-user MFA (legacy) and Identity Protection user-risk policies: not in Graph v1.0',
  'PIM-eligible Global Administrators are not counted (v1.0 lists them per principal only)',
];

export interface PostureReport {
  tenantId: string;
  graphEndpoint: string;
  readAt: string;
  requests: number;
  checks: CheckResult[];
}

const LABEL: Record<CheckStatus, string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', unknown: 'UNKNOWN' };

export function summary(checks: readonly CheckResult[]): Record<CheckStatus, number> {
  const out: Record<CheckStatus, number> = { pass: 0, warn: 0, fail: 0, unknown: 0 };
  for (const c of checks) out[c.status] += 1;
  return out;
}

function subjectText(c: CheckResult): string {
  return c.subject.kind === 'tenant' ? 'tenant' : c.subject.kind === 'group' ? `group ${c.subject.displayName}` : c.subject.userPrincipalName;
}

/** Where in the manifest a check points: the account's entry, the exclusion group, or the tenant id. */
export function manifestPath(c: CheckResult, manifest: Manifest): (string | number)[] {
  if (c.subject.kind === 'account') return ['accounts', c.subject.index];
  if (c.subject.kind === 'group') return ['exclusionGroup'];
  return manifest.tenantId ? ['tenantId'] : ['accounts'];
}

/** One line per check, details and the fix below it. */
export function formatPostureText(report: PostureReport, colors: Colors): string {
  const paint = (s: CheckStatus, text: string) => (s === 'fail' ? colors.red(text) : s === 'warn' ? colors.yellow(text) : s === 'unknown' ? colors.cyan(text) : text);
  const subjectWidth = Math.min(48, Math.max(7, ...report.checks.map((c) => subjectText(c).length)));
  const idWidth = Math.max(5, ...report.checks.map((c) => c.id.length));
  const lines = [`breakglass posture: tenant ${report.tenantId}, read from ${report.graphEndpoint} at ${report.readAt} (${report.requests} Graph requests, read-only)`, ''];
  lines.push(colors.dim(`${'STATUS'.padEnd(8)} ${'SUBJECT'.padEnd(subjectWidth)} ${'CHECK'.padEnd(idWidth)} RESULT`));
  for (const c of report.checks) {
    lines.push(`${paint(c.status, LABEL[c.status].padEnd(8))} ${subjectText(c).padEnd(subjectWidth)} ${c.id.padEnd(idWidth)} ${c.message}`);
    const indent = ' '.repeat(9);
    for (const d of c.details ?? []) lines.push(`${indent}- ${d}`);
    if (c.fix && c.status !== 'pass') lines.push(`${indent}${colors.dim('fix:')} ${c.fix}`);
  }
  const s = summary(report.checks);
  lines.push('', `${s.pass} passed, ${s.warn} warning${s.warn === 1 ? '' : 's'}, ${s.fail} failed, ${s.unknown} not checked`, '', colors.dim('Microsoft Graph cannot tell:'), ...NOT_CHECKED.map((n) => colors.dim(`  - ${n}`)));
  return lines.join('\n');
}

export function postureJson(report: PostureReport, manifest: Manifest, source: YamlSource, file: string): unknown {
  return {
    command: 'posture',
    tenantId: report.tenantId,
    graphEndpoint: report.graphEndpoint,
    readAt: report.readAt,
    requests: report.requests,
    summary: summary(report.checks),
    checks: report.checks.map((c) => ({ ...c, location: { file, ...locate(source, manifestPath(c, manifest)) } })),
    notChecked: NOT_CHECKED,
  };
}

/** SARIF through the one SARIF writer: each failed, warned or unmade check at its manifest line. */
export function postureSarif(report: PostureReport, manifest: Manifest, source: YamlSource, file: string, version: string): SarifLog {
  const findings: Finding[] = report.checks
    .filter((c) => c.status !== 'pass')
    .map((c) => ({
      severity: c.status === 'warn' ? 'warning' : 'error',
      code: `posture/${c.id}`,
      message: `${subjectText(c)}: ${c.status === 'unknown' ? 'not checked: ' : ''}${c.message}${c.details?.length ? `\n${c.details.map((d) => `- ${d}`).join('\n')}` : ''}`,
      ...(c.fix ? { hint: c.fix } : {}),
      location: { file, ...locate(source, manifestPath(c, manifest)) },
    }));
  return sarifReport(findings, version);
}
