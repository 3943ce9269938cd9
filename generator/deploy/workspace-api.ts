import type { TokenCredential } from '@azure/identity';
import type { Workspace } from '../manifest/types.js';
import { AzureRest, AzureRestError, formatSeconds, printable, sleep, type JsonObject } from './azure-rest.js';
import type { CloudEndpoints } from './cloud.js';
import { API_VERSION_OF, DEPLOYMENT_HASH_TAG, pathSegment, sentinelScope, type DesiredResource } from './desired-state.js';
import type { ActualResource, PlannedChange } from './plan.js';

/** Reads a workspace's state and applies one change at a time: the only code that talks to Azure. */
export interface WorkspaceApi {
  read(desired: readonly DesiredResource[]): Promise<ActualResource[]>;
  apply(change: PlannedChange): Promise<void>;
}

/** How long we wait for what; every number can be set from the command line. */
export interface Timing {
  requestTimeoutMs: number;
  /** Per workspace: all waits between retries together. */
  retryBudgetMs: number;
  retryDelayMs: number;
  maxRetries: number;
  /** A deployment still running after this long is reported as failed (it may still finish in Azure). */
  deploymentTimeoutMs: number;
  deploymentPollMs: number;
}

export const DEFAULT_TIMING: Timing = {
  requestTimeoutMs: 60_000,
  retryBudgetMs: 120_000,
  retryDelayMs: 800,
  maxRetries: 4,
  deploymentTimeoutMs: 15 * 60_000,
  deploymentPollMs: 5_000,
};

export interface ClientSettings {
  credential: TokenCredential;
  endpoints: CloudEndpoints;
  timing: Timing;
  signal?: AbortSignal;
  onWait?: (what: string, ms: number) => void;
  /** Seam for tests: trust a local emulator's certificate. */
  tls?: { ca: string };
}

const TERMINAL = new Set(['Succeeded', 'Failed', 'Canceled']);

function label(body: JsonObject, fallback: string): string {
  const properties = (body['properties'] ?? {}) as JsonObject;
  return printable(String(properties['displayName'] ?? fallback));
}

/** Resource Manager's REST API for one workspace, through our waiting rules (azure-rest.ts). */
export function restWorkspaceApi(workspace: Workspace, settings: ClientSettings): WorkspaceApi {
  const { timing } = settings;
  const rest = new AzureRest({
    credential: settings.credential,
    endpoint: settings.endpoints.resourceManager,
    scope: settings.endpoints.scope,
    requestTimeoutMs: timing.requestTimeoutMs,
    retryBudgetMs: timing.retryBudgetMs,
    retryDelayMs: timing.retryDelayMs,
    maxRetries: timing.maxRetries,
    ...(settings.signal ? { signal: settings.signal } : {}),
    ...(settings.onWait ? { onWait: settings.onWait } : {}),
    ...(settings.tls ? { tls: settings.tls } : {}),
  });
  const scope = sentinelScope(workspace);
  const actual = (kind: ActualResource['kind'], name: string, path: string, body: JsonObject, labelText: string): ActualResource => ({
    kind,
    name,
    path,
    label: labelText,
    body,
    ...(typeof body['etag'] === 'string' ? { etag: body['etag'] } : {}),
  });
  // A name read from a list becomes the path of a DELETE: it must be one path segment (a name
  // like '../../alertRules/<id>' would address another resource).
  const listedName = (item: JsonObject, what: string) => {
    try {
      return pathSegment(String(item['name'] ?? ''), `the name of ${what}`);
    } catch (error) {
      throw new AzureRestError(`GET ${what}s: the answer names a resource that cannot be addressed (${(error as Error).message}); nothing is planned for this workspace`);
    }
  };

  return {
    async read(desired) {
      const out: ActualResource[] = [];
      for (const rule of await rest.list(`${scope}/alertRules`, API_VERSION_OF.alertRule)) {
        const name = listedName(rule, 'alert rule');
        out.push(actual('alertRule', name, `${scope}/alertRules/${name}`, rule, `rule ${label(rule, name)}`));
      }
      const watchlist = desired.find((d) => d.kind === 'watchlist');
      if (watchlist) {
        // Resources read by the path we asked for keep the name we asked for.
        const current = await rest.get(watchlist.path, API_VERSION_OF.watchlist);
        if (current && !deleted(current)) {
          out.push(actual('watchlist', watchlist.name, watchlist.path, current, watchlist.label));
          for (const item of await rest.list(`${watchlist.path}/watchlistItems`, API_VERSION_OF.watchlistItem)) {
            if (deleted(item)) continue;
            const keys = ((item['properties'] ?? {}) as JsonObject)['itemsKeyValue'] as JsonObject | undefined;
            const name = listedName(item, 'watchlist item');
            out.push(actual('watchlistItem', name, `${watchlist.path}/watchlistItems/${name}`, item, `watchlist item ${printable(String(keys?.['UserPrincipalName'] ?? name))}`));
          }
        }
      }
      for (const d of desired.filter((x) => x.kind === 'automationRule' || x.kind === 'deployment')) {
        const current = await rest.get(d.path, API_VERSION_OF[d.kind]);
        if (current) out.push(actual(d.kind, d.name, d.path, current, d.label));
      }
      return out;
    },

    async apply(change) {
      const version = API_VERSION_OF[change.kind];
      if (change.action === 'delete') return rest.delete(change.path, version);
      if (!change.body) throw new Error(`cannot ${change.action} ${change.label}: nothing to send`);
      if (change.kind === 'deployment') return putDeployment(rest, change, timing, settings);
      await rest.put(change.path, version, { ...change.body, ...(change.etag ? { etag: change.etag } : {}) });
    },
  };
}

/** Watchlists and their items carry `isDeleted` (Watchlists.json): one marked deleted is not there. */
const deleted = (resource: JsonObject) => ((resource['properties'] ?? {}) as JsonObject)['isDeleted'] === true;

const stateOf = (deployment: JsonObject) => String(((deployment['properties'] ?? {}) as JsonObject)['provisioningState'] ?? 'Accepted');
const hashOf = (body: JsonObject | Record<string, unknown>) => ((body['tags'] ?? {}) as JsonObject)[DEPLOYMENT_HASH_TAG];

/**
 * PUT the deployment and wait for it to finish. Resource Manager refuses to replace a deployment
 * that is still running (HTTP 409 DeploymentActive: "Unable to edit or replace deployment ...
 * previous deployment ... is still active"), which is what a push finds after an interrupted push
 * or one that stopped waiting at --deployment-timeout: then the running one is waited for, and
 * sent again only if it did not end as the one we want.
 */
async function putDeployment(rest: AzureRest, change: PlannedChange, timing: Timing, settings: ClientSettings): Promise<void> {
  const version = API_VERSION_OF.deployment;
  const started = Date.now();
  let sent: JsonObject;
  try {
    sent = await rest.put(change.path, version, change.body);
  } catch (error) {
    if (!(error instanceof AzureRestError && error.status === 409 && error.code === 'DeploymentActive')) throw error;
    const running = await rest.get(change.path, version);
    const ended = running ? await settle(rest, change.path, running, started, timing, settings) : undefined;
    if (ended && stateOf(ended) === 'Succeeded' && hashOf(ended) === hashOf(change.body!)) return;
    sent = await rest.put(change.path, version, change.body);
  }
  const ended = await settle(rest, change.path, sent, started, timing, settings);
  const state = stateOf(ended);
  if (state === 'Succeeded') return;
  const error = (((ended['properties'] ?? {}) as JsonObject)['error'] ?? {}) as JsonObject;
  const details = Array.isArray(error['details']) ? (error['details'] as JsonObject[]).map((d) => `${String(d['code'] ?? '')}: ${String(d['message'] ?? '')}`).join('; ') : '';
  throw new AzureRestError(`deployment ${state.toLowerCase()}: ${printable(String(error['message'] ?? 'no reason given'))}${details ? ` (${printable(details)})` : ''}`);
}

/** A deployment runs after the PUT returns: poll it until it ends (whichever way), within the deployment timeout. */
async function settle(rest: AzureRest, path: string, first: JsonObject, started: number, timing: Timing, settings: ClientSettings): Promise<JsonObject> {
  let current = first;
  for (;;) {
    const state = stateOf(current);
    if (TERMINAL.has(state)) return current;
    const elapsed = Date.now() - started;
    if (elapsed + timing.deploymentPollMs > timing.deploymentTimeoutMs) {
      throw new AzureRestError(`deployment still ${printable(state)} after ${formatSeconds(elapsed)} (--deployment-timeout ${formatSeconds(timing.deploymentTimeoutMs)}); it may still finish: run plan to see`);
    }
    if (timing.deploymentPollMs >= 1000) settings.onWait?.(`deployment ${path.split('/').pop()} (${printable(state)})`, timing.deploymentPollMs);
    try {
      await sleep(timing.deploymentPollMs, settings.signal);
    } catch {
      throw new AzureRestError(`interrupted while the deployment was ${printable(state)}; it goes on in Azure: run plan to see`);
    }
    const next = await rest.get(path, API_VERSION_OF.deployment);
    if (!next) throw new AzureRestError('the deployment disappeared while it ran');
    current = next;
  }
}
