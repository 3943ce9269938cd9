import type { Colors } from '../report/text-report.js';
import { printable } from './azure-rest.js';
import type { ChangeResult, WorkspaceReport } from './push.js';
import type { FieldChange, PlannedChange } from './plan.js';

const SYMBOL: Record<PlannedChange['action'], string> = { create: '+', update: '~', delete: '-', 'no-op': '=' };

function show(value: unknown): string {
  const text = value instanceof Date ? value.toISOString() : JSON.stringify(value);
  if (text === undefined) return '(absent)';
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function fieldLines(changes: readonly FieldChange[]): string[] {
  // Bodies are `{ kind, properties: {...} }`: the fields people know are inside `properties`.
  return changes.slice(0, 12).map((c) => `        ${c.path.replace(/^properties\./, '') || '(value)'}: ${printable(show(c.before))} -> ${printable(show(c.after))}`).concat(changes.length > 12 ? [`        ... and ${changes.length - 12} more fields`] : []);
}

/** The plan of each workspace: what would change, with the fields that differ. */
export function formatPlan(reports: readonly WorkspaceReport[], colors: Colors, verbose: boolean): string {
  const lines: string[] = [];
  for (const r of reports) {
    if (r.readError) {
      lines.push(r.readError.startsWith('refused: ') ? `${r.workspace}: ${colors.red('refused')}: ${r.readError.slice('refused: '.length)}` : `${r.workspace}: ${colors.red('cannot read the workspace')}: ${r.readError}`);
      continue;
    }
    const counts = countActions(r.plan);
    lines.push(`${r.workspace}: ${counts.create} to create, ${counts.update} to update, ${counts.delete} to delete, ${counts['no-op']} unchanged`);
    for (const change of r.plan) {
      if (change.action === 'no-op' && !verbose) continue;
      const paint = change.action === 'delete' ? colors.red : change.action === 'create' ? colors.cyan : change.action === 'update' ? colors.yellow : colors.dim;
      lines.push(`  ${paint(`${SYMBOL[change.action]} ${change.action.padEnd(6)}`)} ${change.label}`);
      if (change.action === 'update') lines.push(...fieldLines(change.changes));
    }
    for (const note of r.notOurs ?? []) lines.push(`  ${colors.dim('? not ours')} ${note}`);
  }
  return lines.join('\n');
}

export function countActions(plan: readonly PlannedChange[]): Record<PlannedChange['action'], number> {
  const counts = { create: 0, update: 0, delete: 0, 'no-op': 0 };
  for (const c of plan) counts[c.action] += 1;
  return counts;
}

export function formatResult(result: ChangeResult, colors: Colors): string {
  const state = result.outcome === 'ok' ? 'ok' : result.outcome === 'failed' ? colors.red(`failed: ${result.error}`) : colors.yellow('not started (interrupted)');
  return `${result.workspace}  ${result.change.action.padEnd(6)} ${result.change.label}  ${state}${result.outcome === 'ok' ? colors.dim(` (${result.ms} ms)`) : ''}`;
}

/** One row per workspace: what was done and what failed. */
export function formatSummary(reports: readonly WorkspaceReport[]): string {
  const rows = reports.map((r) => {
    const ok = (action: string) => r.results.filter((x) => x.change.action === action && x.outcome === 'ok').length;
    const failed = r.results.filter((x) => x.outcome === 'failed').length;
    const skipped = r.results.filter((x) => x.outcome === 'not started').length;
    const unchanged = r.plan.filter((c) => c.action === 'no-op').length;
    return [r.workspace, r.readError ? 'read failed' : String(ok('create')), String(ok('update')), String(ok('delete')), String(unchanged), String(failed + (r.readError ? 1 : 0)), String(skipped)];
  });
  const head = ['workspace', 'created', 'updated', 'deleted', 'unchanged', 'failed', 'not started'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}
