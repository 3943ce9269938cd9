import type { BuildResult } from '../build.js';
import type { Manifest, Workspace } from '../manifest/types.js';
import type { PlaybookSource } from '../playbook/playbook-definition.js';
import type { Colors } from '../report/text-report.js';
import { endpointsFor } from './cloud.js';
import { azureCredential } from './credentials.js';
import { workspaceLabel } from './desired-state.js';
import { countActions, formatPlan, formatResult, formatSummary } from './deploy-report.js';
import { pendingChanges } from './plan.js';
import { applyPlans, planWorkspaces, type WorkspaceReport } from './push.js';
import { sdkWorkspaceApi, type WorkspaceApi } from './workspace-api.js';

export class DeployUsageError extends Error {}

export interface DeployArgs {
  command: 'plan' | 'push' | 'drift';
  workspaces: string[];
  prune: boolean;
  yes: boolean;
  detailedExitcode: boolean;
  armEndpoint?: string;
  concurrency: number;
  format: 'text' | 'json' | 'sarif';
}

export interface DeployIo {
  stdout: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  colors: Colors;
  signal?: AbortSignal;
  /** Asks the person at the terminal; absent when there is none. */
  confirm?: (question: string) => Promise<boolean>;
  /** Seam: a workspace API other than the Azure SDK's. */
  workspaceApi?: (workspace: Workspace) => WorkspaceApi;
}

function selectWorkspaces(manifest: Manifest, names: readonly string[]): Workspace[] {
  if (names.length === 0) return manifest.workspaces;
  const known = manifest.workspaces.map(workspaceLabel);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new DeployUsageError(`no workspace named ${unknown.map((n) => `'${n}'`).join(', ')} in the manifest (workspaces: ${known.join(', ')})`);
  return manifest.workspaces.filter((w) => names.includes(workspaceLabel(w)));
}

/** plan, push and drift, once the content rendered and validated without errors. */
export async function runDeployCommand(args: DeployArgs, build: BuildResult, playbook: PlaybookSource, io: DeployIo): Promise<number> {
  const manifest = build.manifest!;
  const workspaces = selectWorkspaces(manifest, args.workspaces);
  const tenantId = manifest.tenantId ?? io.env['AZURE_TENANT_ID'];
  if (!tenantId) throw new DeployUsageError('push needs the tenant id: set tenantId in the manifest or AZURE_TENANT_ID');
  const armEndpoint = args.armEndpoint ?? io.env['BREAKGLASS_ARM_ENDPOINT'];
  const authorityHost = io.env['AZURE_AUTHORITY_HOST'];
  const credentials = new Map<string, ReturnType<typeof azureCredential>>();
  const apiFor =
    io.workspaceApi ??
    ((workspace: Workspace) => {
      const endpoints = endpointsFor(workspace.cloud, { ...(armEndpoint ? { armEndpoint } : {}), ...(authorityHost ? { authorityHost } : {}) });
      let credential = credentials.get(endpoints.authorityHost);
      if (!credential) credentials.set(endpoints.authorityHost, (credential = azureCredential(endpoints.authorityHost)));
      return sdkWorkspaceApi(workspace, { credential, endpoints, retryDelayMs: Number(io.env['BREAKGLASS_RETRY_DELAY_MS'] ?? 800), maxRetries: 4 });
    });
  const input = { manifest, rendered: build.rendered!, playbook, workbookResource: build.workbookResource!, tenantId };
  const common = { prune: args.prune || args.command === 'drift', workspaceConcurrency: args.concurrency, writeConcurrency: 4, apiFor, ...(io.signal ? { signal: io.signal } : {}) };
  const json = args.format === 'json';

  const planned = await planWorkspaces(input, workspaces, common);
  const pending = planned.reduce((n, r) => n + pendingChanges(r.plan).length, 0);
  const readFailed = planned.some((r) => r.readError);
  if (args.command !== 'push') {
    io.stdout.write(json ? `${JSON.stringify({ command: args.command, workspaces: planned.map(planJson) }, null, 2)}\n` : `${formatPlan(planned, io.colors, false)}\n`);
    if (readFailed) return 1;
    if (args.command === 'drift') return pending > 0 ? 1 : 0;
    return args.detailedExitcode && pending > 0 ? 2 : 0;
  }
  if (!json) io.stdout.write(`${formatPlan(planned, io.colors, false)}\n`);
  if (pending === 0) {
    if (json) io.stdout.write(`${JSON.stringify({ command: 'push', workspaces: planned.map(resultJson) }, null, 2)}\n`);
    else io.stdout.write('nothing to change\n');
    return readFailed ? 1 : 0;
  }
  if (!args.yes) {
    if (!io.confirm) throw new DeployUsageError(`push would make ${pending} changes; pass --yes to apply them when no one is at a terminal`);
    if (!(await io.confirm(`Apply ${pending} changes to ${workspaces.length} workspace${workspaces.length === 1 ? '' : 's'}? [y/N] `))) {
      io.stdout.write('nothing changed\n');
      return 1;
    }
  }
  // Workspaces that could not be read are reported, not retried: the others still get their changes.
  const applied = await applyPlans(planned, {
    ...common,
    ...(json ? {} : { onResult: (result) => io.stdout.write(`${formatResult(result, io.colors)}\n`) }),
  });
  const failed = applied.some((r) => r.readError || r.results.some((x) => x.outcome !== 'ok'));
  if (json) io.stdout.write(`${JSON.stringify({ command: 'push', interrupted: io.signal?.aborted ?? false, workspaces: applied.map(resultJson) }, null, 2)}\n`);
  else io.stdout.write(`\n${formatSummary(applied)}\n${io.signal?.aborted ? 'interrupted: changes not started are listed above; run push again to finish\n' : ''}`);
  return failed ? 1 : 0;
}

function planJson(r: WorkspaceReport) {
  return {
    workspace: r.workspace,
    ...(r.readError ? { error: r.readError } : {}),
    summary: countActions(r.plan),
    changes: r.plan.filter((c) => c.action !== 'no-op').map((c) => ({ action: c.action, kind: c.kind, name: c.name, label: c.label, fields: c.changes.map((f) => f.path) })),
  };
}

function resultJson(r: WorkspaceReport) {
  return {
    ...planJson(r),
    results: r.results.map((x) => ({ action: x.change.action, kind: x.change.kind, name: x.change.name, label: x.change.label, outcome: x.outcome, ...(x.error ? { error: x.error } : {}), ms: x.ms })),
  };
}
