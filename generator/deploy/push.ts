import type { Workspace } from '../manifest/types.js';
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
  /** Reading the workspace failed: nothing was planned. */
  readError?: string;
  plan: PlannedChange[];
  results: ChangeResult[];
}

export interface PushOptions {
  apply: boolean;
  prune: boolean;
  /** Workspaces worked on at once. */
  workspaceConcurrency: number;
  /** Writes at once within one workspace (and one phase). */
  writeConcurrency: number;
  signal?: AbortSignal;
  apiFor: (workspace: Workspace) => WorkspaceApi;
  /** Called as each change completes, for progress lines. */
  onResult?: (result: ChangeResult) => void;
}

function message(error: unknown): string {
  const e = error as { statusCode?: number; code?: string; message?: string };
  const status = e?.statusCode ? `HTTP ${e.statusCode}${e.code ? ` ${e.code}` : ''}: ` : '';
  return `${status}${e?.message ?? String(error)}`.split('\n')[0]!;
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

/** Reads, plans and (with `apply`) changes every workspace, a bounded number at a time. */
export async function pushWorkspaces(input: DesiredInput, workspaces: readonly Workspace[], options: PushOptions): Promise<WorkspaceReport[]> {
  const reports = await runPool(
    workspaces,
    options.workspaceConcurrency,
    async (workspace): Promise<WorkspaceReport> => {
      const label = workspaceLabel(workspace);
      const api = options.apiFor(workspace);
      const desired = desiredState(input, workspace);
      let plan: PlannedChange[];
      try {
        plan = planWorkspace(desired, await api.read(desired), { prune: options.prune });
      } catch (error) {
        return { workspace: label, readError: message(error), plan: [], results: [] };
      }
      const results = options.apply ? await applyWorkspace(label, plan, api, options) : [];
      return { workspace: label, plan, results };
    },
    options.signal ? { signal: options.signal } : {},
  );
  const order = workspaces.map(workspaceLabel);
  return reports.sort((a, b) => order.indexOf(a.workspace) - order.indexOf(b.workspace));
}
