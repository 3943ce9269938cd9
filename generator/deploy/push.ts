import type { Workspace } from '../manifest/types.js';
import { printable } from './azure-rest.js';
import { desiredState, PHASES, workspaceLabel, type DesiredInput } from './desired-state.js';
import { pendingChanges, planWorkspace, type PlannedChange } from './plan.js';
import { runPool } from './pool.js';
import type { WorkspaceApi } from './workspace-api.js';

export type Outcome = 'ok' | 'failed' | 'not started';

export interface ChangeResult {
  workspace: string;
  change: PlannedChange;
  outcome: Outcome;
  error?: string;
  ms: number;
}

export interface WorkspaceReport {
  workspace: string;
  target: Workspace;
  /** Reading the workspace failed, or planning refused to touch it: nothing was planned. */
  readError?: string;
  plan: PlannedChange[];
  /** Resources that carry our marker but are not this manifest's (never touched). */
  notOurs?: string[];
  results: ChangeResult[];
}

export interface PushOptions {
  prune: boolean;
  /** The manifest's idNamespace: what is ours (render/ownership.ts). */
  namespace: string;
  /** Take over a watchlist of our alias that this manifest did not make. */
  adopt?: boolean;
  /** Workspaces worked on at once. */
  workspaceConcurrency: number;
  /** Writes at once within one workspace (and one phase). */
  writeConcurrency: number;
  signal?: AbortSignal;
  apiFor: (workspace: Workspace) => WorkspaceApi;
  /** Called as each change completes, for progress lines. */
  onResult?: (result: ChangeResult) => void;
}

/** One line about a failure, with any server text made safe for a terminal. */
function message(error: unknown): string {
  return printable(String((error as { message?: string })?.message ?? error).split('\n')[0]!);
}

/** Applies a workspace's plan phase by phase; a failed change does not stop the others. */
async function applyWorkspace(workspace: string, plan: readonly PlannedChange[], api: WorkspaceApi, options: PushOptions): Promise<ChangeResult[]> {
  const results: ChangeResult[] = [];
  const pending = pendingChanges(plan);
  const upserts = pending.filter((c) => c.action !== 'delete');
  const deletes = pending.filter((c) => c.action === 'delete');
  const groups = [
    ...PHASES.map((kind) => upserts.filter((c) => c.kind === kind)),
    ...[...PHASES].reverse().map((kind) => deletes.filter((c) => c.kind === kind)),
  ].filter((g) => g.length > 0);
  const record = (result: ChangeResult) => {
    results.push(result);
    options.onResult?.(result);
  };
  for (const group of groups) {
    await runPool(
      group,
      options.writeConcurrency,
      async (change) => {
        const started = Date.now();
        try {
          await api.apply(change);
          record({ workspace, change, outcome: 'ok', ms: Date.now() - started });
        } catch (error) {
          record({ workspace, change, outcome: 'failed', error: message(error), ms: Date.now() - started });
        }
      },
      { ...(options.signal ? { signal: options.signal } : {}), onSkipped: (change) => record({ workspace, change, outcome: 'not started', ms: 0 }) },
    );
  }
  return results;
}

/** Reads and plans every workspace, a bounded number at a time. Nothing is written. */
export async function planWorkspaces(input: DesiredInput, workspaces: readonly Workspace[], options: Omit<PushOptions, 'onResult'>): Promise<WorkspaceReport[]> {
  const reports: WorkspaceReport[] = [];
  await runPool(
    workspaces,
    options.workspaceConcurrency,
    async (workspace) => {
      const label = workspaceLabel(workspace);
      try {
        const desired = desiredState(input, workspace);
        const planned = planWorkspace(desired, await options.apiFor(workspace).read(desired), { prune: options.prune, namespace: options.namespace, ...(options.adopt ? { adopt: true } : {}) });
        reports.push({ workspace: label, target: workspace, plan: planned.changes, notOurs: planned.notOurs, results: [], ...(planned.refused ? { readError: `refused: ${planned.refused}` } : {}) });
      } catch (error) {
        reports.push({ workspace: label, target: workspace, readError: message(error), plan: [], results: [] });
      }
    },
    {
      ...(options.signal ? { signal: options.signal } : {}),
      onSkipped: (workspace) => reports.push({ workspace: workspaceLabel(workspace), target: workspace, readError: 'not read: interrupted', plan: [], results: [] }),
    },
  );
  const order = workspaces.map(workspaceLabel);
  return reports.sort((a, b) => order.indexOf(a.workspace) - order.indexOf(b.workspace));
}

/** Applies planned changes, a bounded number of workspaces at a time; returns the reports with results. */
export async function applyPlans(reports: readonly WorkspaceReport[], options: PushOptions): Promise<WorkspaceReport[]> {
  const done: WorkspaceReport[] = [];
  await runPool(
    reports,
    options.workspaceConcurrency,
    async (report) => {
      const results = report.readError ? [] : await applyWorkspace(report.workspace, report.plan, options.apiFor(report.target), options);
      done.push({ ...report, results });
    },
    {
      ...(options.signal ? { signal: options.signal } : {}),
      onSkipped: (report) => {
        const results = pendingChanges(report.plan).map((change): ChangeResult => ({ workspace: report.workspace, change, outcome: 'not started', ms: 0 }));
        results.forEach((r) => options.onResult?.(r));
        done.push({ ...report, results });
      },
    },
  );
  const order = reports.map((r) => r.workspace);
  return done.sort((a, b) => order.indexOf(a.workspace) - order.indexOf(b.workspace));
}
