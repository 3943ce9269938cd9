import type { TokenCredential } from '@azure/identity';
import type { BuildResult } from '../build.js';
import type { Manifest, Workspace } from '../manifest/types.js';
import type { PlaybookSource } from '../playbook/playbook-definition.js';
import type { Colors } from '../report/text-report.js';
import { formatSeconds } from './azure-rest.js';
import { endpointsFor, type CloudEndpoints } from './cloud.js';
import { azureCredential } from './credentials.js';
import { workspaceLabel } from './desired-state.js';
import { countActions, formatPlan, formatResult, formatSummary } from './deploy-report.js';
import { pendingChanges } from './plan.js';
import { applyPlans, planWorkspaces, type WorkspaceReport } from './push.js';
import { signIn, SignInError } from './sign-in.js';
import { DEFAULT_TIMING, restWorkspaceApi, type Timing, type WorkspaceApi } from './workspace-api.js';

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
  /** Overrides of DEFAULT_TIMING from the command line (milliseconds). */
  timing?: Partial<Timing>;
  /** Take over a watchlist of our alias that this manifest did not make. */
  adopt?: boolean;
}

export interface DeployIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  colors: Colors;
  signal?: AbortSignal;
  /** Asks the person at the terminal; absent when there is none. */
  confirm?: (question: string) => Promise<boolean>;
  /** Seam: a workspace API other than Resource Manager's. */
  workspaceApi?: (workspace: Workspace) => WorkspaceApi;
  /** Seam: a credential other than DefaultAzureCredential. */
  credential?: (authorityHost: string) => TokenCredential;
  /** Seam: certificate authorities to trust (a local emulator's). */
  tls?: { ca: string };
}

function selectWorkspaces(manifest: Manifest, names: readonly string[]): Workspace[] {
  if (names.length === 0) return manifest.workspaces;
  const known = manifest.workspaces.map(workspaceLabel);
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw new DeployUsageError(`no workspace named ${unknown.map((n) => `'${n}'`).join(', ')} in the manifest (workspaces: ${known.join(', ')})`);
  return manifest.workspaces.filter((w) => names.includes(workspaceLabel(w)));
}

/** Timing from defaults, the environment (tests inject short delays) and the command line, in that order. */
export function timingFrom(args: DeployArgs, env: Record<string, string | undefined>): Timing {
  const fromEnv = (name: string) => (env[name] !== undefined && /^\d+$/.test(env[name]!) ? Number(env[name]) : undefined);
  const envTiming: Partial<Timing> = {
    ...(fromEnv('BREAKGLASS_RETRY_DELAY_MS') !== undefined ? { retryDelayMs: fromEnv('BREAKGLASS_RETRY_DELAY_MS')! } : {}),
    ...(fromEnv('BREAKGLASS_DEPLOYMENT_POLL_MS') !== undefined ? { deploymentPollMs: fromEnv('BREAKGLASS_DEPLOYMENT_POLL_MS')! } : {}),
  };
  return { ...DEFAULT_TIMING, ...envTiming, ...(args.timing ?? {}) };
}

/** plan, push and drift, once the content rendered and validated without errors. */
export async function runDeployCommand(args: DeployArgs, build: BuildResult, playbook: PlaybookSource, io: DeployIo): Promise<number> {
  const manifest = build.manifest!;
  const workspaces = selectWorkspaces(manifest, args.workspaces);
  const tenantId = manifest.tenantId ?? io.env['AZURE_TENANT_ID'];
  if (!tenantId) throw new DeployUsageError(`${args.command} needs the tenant id: set tenantId in the manifest or AZURE_TENANT_ID`);
  const armEndpoint = args.armEndpoint ?? io.env['BREAKGLASS_ARM_ENDPOINT'];
  const authorityHost = io.env['AZURE_AUTHORITY_HOST'];
  const timing = timingFrom(args, io.env);
  const json = args.format === 'json';
  const endpointsOf = (workspace: Workspace): CloudEndpoints => endpointsFor(workspace.cloud, { ...(armEndpoint ? { armEndpoint } : {}), ...(authorityHost ? { authorityHost } : {}) });

  // One credential per authority, signed in once before any workspace is read.
  const credentials = new Map<string, TokenCredential>();
  const identities: string[] = [];
  if (!io.workspaceApi) {
    for (const workspace of workspaces) {
      const endpoints = endpointsOf(workspace);
      if (credentials.has(endpoints.authorityHost)) continue;
      const credential = io.credential ? io.credential(endpoints.authorityHost) : azureCredential(endpoints.authorityHost, timing.requestTimeoutMs);
      credentials.set(endpoints.authorityHost, credential);
      try {
        identities.push((await signIn(credential, endpoints.scope, endpoints.authorityHost, io.signal, timing.requestTimeoutMs)).identity);
      } catch (error) {
        if (!(error instanceof SignInError)) throw error;
        io.stderr.write(`breakglass: ${error.message}\n`);
        return 1;
      }
    }
    if (!json) io.stdout.write(`signed in as ${identities.join('; ')}\n`);
  }
  const onWait = (what: string, ms: number) => io.stderr.write(`waiting ${formatSeconds(ms)}: ${what}\n`);
  // One client per workspace for the whole run, so reading and writing share its retry budget.
  const apis = new Map<Workspace, WorkspaceApi>();
  const apiFor =
    io.workspaceApi ??
    ((workspace: Workspace) => {
      const known = apis.get(workspace);
      if (known) return known;
      const endpoints = endpointsOf(workspace);
      const api = restWorkspaceApi(workspace, { credential: credentials.get(endpoints.authorityHost)!, endpoints, timing, onWait, ...(io.signal ? { signal: io.signal } : {}), ...(io.tls ? { tls: io.tls } : {}) });
      apis.set(workspace, api);
      return api;
    });
  const input = { manifest, rendered: build.rendered!, playbook, workbookResource: build.workbookResource!, tenantId };
  const common = { prune: args.prune || args.command === 'drift', namespace: manifest.idNamespace, ...(args.adopt ? { adopt: true } : {}), workspaceConcurrency: args.concurrency, writeConcurrency: 4, apiFor, ...(io.signal ? { signal: io.signal } : {}) };

  const planned = await planWorkspaces(input, workspaces, common);
  const pending = planned.reduce((n, r) => n + pendingChanges(r.plan).length, 0);
  const unread = planned.filter((r) => r.readError).length;
  const identity = identities.length > 0 ? { identity: identities.join('; ') } : {};
  if (args.command !== 'push') {
    io.stdout.write(json ? `${JSON.stringify({ command: args.command, ...identity, workspaces: planned.map(planJson) }, null, 2)}\n` : `${formatPlan(planned, io.colors, false)}\n${unreadNote(unread, planned.length)}`);
    if (unread > 0) return 1;
    if (args.command === 'drift') return pending > 0 ? 1 : 0;
    return args.detailedExitcode && pending > 0 ? 2 : 0;
  }
  if (!json) io.stdout.write(`${formatPlan(planned, io.colors, false)}\n`);
  if (pending === 0) {
    if (json) io.stdout.write(`${JSON.stringify({ command: 'push', ...identity, workspaces: planned.map(resultJson) }, null, 2)}\n`);
    // "Nothing to change" only where we could look.
    else io.stdout.write(unread === 0 ? 'nothing to change\n' : unreadNote(unread, planned.length));
    return unread > 0 ? 1 : 0;
  }
  if (!args.yes) {
    if (!io.confirm) throw new DeployUsageError(`push would make ${pending} changes; pass --yes to apply them when no one is at a terminal`);
    if (!(await io.confirm(`Apply ${pending} changes to ${workspaces.length - unread} workspace${workspaces.length - unread === 1 ? '' : 's'}? [y/N] `))) {
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
  if (json) io.stdout.write(`${JSON.stringify({ command: 'push', ...identity, interrupted: io.signal?.aborted ?? false, workspaces: applied.map(resultJson) }, null, 2)}\n`);
  else io.stdout.write(`\n${formatSummary(applied)}\n${unreadNote(unread, planned.length)}${io.signal?.aborted ? 'interrupted: changes not started are listed above; run push again to finish\n' : ''}`);
  return failed ? 1 : 0;
}

function unreadNote(unread: number, total: number): string {
  if (unread === 0) return '';
  return `${unread} of ${total} workspace${total === 1 ? '' : 's'} could not be read: nothing is known about ${unread === 1 ? 'it' : 'them'}, nothing was planned or changed there (see above)\n`;
}

function planJson(r: WorkspaceReport) {
  return {
    workspace: r.workspace,
    ...(r.readError ? { error: r.readError } : {}),
    ...(r.notOurs && r.notOurs.length > 0 ? { notOurs: r.notOurs } : {}),
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
