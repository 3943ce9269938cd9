/**
 * Everything the tool has to tell a user about their input or output is a Finding: one shape for
 * manifest errors, catalog errors, Kusto diagnostics and Sentinel limits, so every reporter
 * (text, JSON, SARIF) handles all of them alike.
 */
export type Severity = 'error' | 'warning' | 'notice';

export interface SourceLocation {
  /** Path of the file as the user named it (or relative to the package for catalog files). */
  file: string;
  /** 1-based. */
  line?: number;
  /** 1-based. */
  column?: number;
}

export interface Finding {
  severity: Severity;
  /** Stable machine id, e.g. `manifest/unknown-key`, `kql/KS142`, `sentinel/query-length`. */
  code: string;
  message: string;
  /** What to do about it. */
  hint?: string;
  location?: SourceLocation;
  /** Path inside the file, e.g. `accounts[1].objectId`. */
  path?: string;
  /** The rule the finding is about, if any. */
  ruleId?: string;
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, notice: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

/** Renders a JSON-pointer-like segment list the way users read it: `accounts[1].objectId`. */
export function formatPath(segments: readonly (string | number)[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}
