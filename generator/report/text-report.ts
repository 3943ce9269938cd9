import { countBySeverity, type Finding } from '../findings.js';

export interface Colors {
  red: (s: string) => string;
  yellow: (s: string) => string;
  cyan: (s: string) => string;
  dim: (s: string) => string;
}

export const NO_COLORS: Colors = { red: (s) => s, yellow: (s) => s, cyan: (s) => s, dim: (s) => s };

/** Colours only for a terminal: a file, a pipe or a CI log gets plain text. */
export function colorsFor(stream: { isTTY?: boolean }): Colors {
  return stream.isTTY ? ANSI_COLORS : NO_COLORS;
}

export const ANSI_COLORS: Colors = {
  red: (s) => `\u001b[31m${s}\u001b[39m`,
  yellow: (s) => `\u001b[33m${s}\u001b[39m`,
  cyan: (s) => `\u001b[36m${s}\u001b[39m`,
  dim: (s) => `\u001b[2m${s}\u001b[22m`,
};

/** `file:line:column severity code message`, the form editors and terminals link to. */
export function formatFinding(finding: Finding, colors: Colors = NO_COLORS): string {
  const loc = finding.location;
  const where = loc ? [loc.file, loc.line, loc.line !== undefined ? loc.column : undefined].filter((x) => x !== undefined).join(':') : '';
  const paint = finding.severity === 'error' ? colors.red : finding.severity === 'warning' ? colors.yellow : colors.cyan;
  const path = finding.path && !finding.message.includes(finding.path) ? ` (at ${finding.path})` : '';
  const head = `${where ? `${where} ` : ''}${paint(finding.severity)} ${colors.dim(finding.code)} ${finding.message}${path}`;
  return finding.hint ? `${head}\n    ${colors.dim('fix:')} ${finding.hint}` : head;
}

export function formatFindings(findings: readonly Finding[], colors: Colors = NO_COLORS): string {
  return findings.map((f) => formatFinding(f, colors)).join('\n');
}

export function findingTotals(findings: readonly Finding[]): string {
  const c = countBySeverity(findings);
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}, ${plural(c.notice, 'notice')}`;
}
