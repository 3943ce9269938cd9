import type { TokenCredential } from '@azure/identity';
import type { AlertRuleUnion, AutomationRule, Watchlist, WatchlistItem } from '@azure/arm-securityinsight';
import { SecurityInsights } from '@azure/arm-securityinsight';
import { ResourceManagementClient, type Deployment } from '@azure/arm-resources';
import type { Workspace } from '../manifest/types.js';
import { MANAGED_MARKER } from '../render/ownership.js';
import type { CloudEndpoints } from './cloud.js';
import { DEPLOYMENT_NAME, type DesiredResource } from './desired-state.js';
import type { ActualResource, PlannedChange } from './plan.js';

/** Reads a workspace's state and applies one change at a time: the only code that talks to Azure. */
export interface WorkspaceApi {
  read(desired: readonly DesiredResource[]): Promise<ActualResource[]>;
  apply(change: PlannedChange): Promise<void>;
}

export interface ClientSettings {
  credential: TokenCredential;
  endpoints: CloudEndpoints;
  /** Base delay of the SDK's exponential retry (429 uses the server's Retry-After). */
  retryDelayMs: number;
  maxRetries: number;
}

function isNotFound(error: unknown): boolean {
  return (error as { statusCode?: number } | undefined)?.statusCode === 404;
}

async function orAbsent<T>(call: Promise<T>): Promise<T | undefined> {
  try {
    return await call;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function plain(value: object): Record<string, unknown> {
  return value as unknown as Record<string, unknown>;
}

/** The real Azure SDK clients for one workspace. */
export function sdkWorkspaceApi(workspace: Workspace, settings: ClientSettings): WorkspaceApi {
  const options = {
    endpoint: settings.endpoints.resourceManager,
    credentialScopes: [settings.endpoints.scope],
    retryOptions: { maxRetries: settings.maxRetries, retryDelayInMs: settings.retryDelayMs, maxRetryDelayInMs: settings.retryDelayMs * 16 },
    userAgentOptions: { userAgentPrefix: 'breakglass-sentinel' },
  };
  const sentinel = new SecurityInsights(settings.credential, workspace.subscriptionId, options);
  const resources = new ResourceManagementClient(settings.credential, workspace.subscriptionId, options);
  const rg = workspace.resourceGroup;
  const ws = workspace.workspaceName;

  return {
    async read(desired) {
      const out: ActualResource[] = [];
      const ourRules = new Set(desired.filter((d) => d.kind === 'alertRule').map((d) => d.name.toLowerCase()));
      for await (const rule of sentinel.alertRules.list(rg, ws)) {
        const name = rule.name ?? '';
        const description = String((rule as { description?: string }).description ?? '');
        out.push({ kind: 'alertRule', name, label: `rule ${(rule as { displayName?: string }).displayName ?? name}`, body: plain(rule), ...(rule.etag ? { etag: rule.etag } : {}), owned: ourRules.has(name.toLowerCase()) || description.includes(MANAGED_MARKER) });
      }
      const watchlist = desired.find((d) => d.kind === 'watchlist');
      if (watchlist) {
        const current = await orAbsent(sentinel.watchlists.get(rg, ws, watchlist.name));
        if (current) {
          out.push({ kind: 'watchlist', name: watchlist.name, label: watchlist.label, body: plain(current), ...(current.etag ? { etag: current.etag } : {}), owned: true });
          for await (const item of sentinel.watchlistItems.list(rg, ws, watchlist.name)) {
            const keys = (item.itemsKeyValue ?? {}) as Record<string, unknown>;
            out.push({ kind: 'watchlistItem', name: item.name ?? '', parent: watchlist.name, label: `watchlist item ${String(keys['UserPrincipalName'] ?? item.name)}`, body: plain(item), ...(item.etag ? { etag: item.etag } : {}), owned: true });
          }
        }
      }
      const automation = desired.find((d) => d.kind === 'automationRule');
      if (automation) {
        const current = await orAbsent(sentinel.automationRules.get(rg, ws, automation.name));
        if (current) out.push({ kind: 'automationRule', name: automation.name, label: automation.label, body: plain(current), ...(current.etag ? { etag: current.etag } : {}), owned: true });
      }
      const deployment = await orAbsent(resources.deployments.get(rg, DEPLOYMENT_NAME));
      if (deployment) out.push({ kind: 'deployment', name: DEPLOYMENT_NAME, label: 'deployment', body: plain(deployment), owned: true });
      return out;
    },

    async apply(change) {
      const withEtag = { ...change.body, ...(change.etag ? { etag: change.etag } : {}) };
      switch (`${change.kind}:${change.action === 'delete' ? 'delete' : 'put'}`) {
        case 'alertRule:put':
          await sentinel.alertRules.createOrUpdate(rg, ws, change.name, withEtag as unknown as AlertRuleUnion);
          return;
        case 'alertRule:delete':
          await sentinel.alertRules.delete(rg, ws, change.name);
          return;
        case 'automationRule:put':
          await sentinel.automationRules.createOrUpdate(rg, ws, change.name, { automationRuleToUpsert: withEtag as unknown as AutomationRule });
          return;
        case 'automationRule:delete':
          await sentinel.automationRules.delete(rg, ws, change.name);
          return;
        case 'watchlist:put':
          await sentinel.watchlists.createOrUpdate(rg, ws, change.name, withEtag as unknown as Watchlist);
          return;
        case 'watchlist:delete':
          await sentinel.watchlists.delete(rg, ws, change.name);
          return;
        case 'watchlistItem:put':
          await sentinel.watchlistItems.createOrUpdate(rg, ws, watchlistAliasOf(change), change.name, withEtag as unknown as WatchlistItem);
          return;
        case 'watchlistItem:delete':
          await sentinel.watchlistItems.delete(rg, ws, watchlistAliasOf(change), change.name);
          return;
        case 'deployment:put':
          await resources.deployments.beginCreateOrUpdateAndWait(rg, change.name, change.body as unknown as Deployment, { updateIntervalInMs: settings.retryDelayMs });
          return;
        default:
          throw new Error(`cannot ${change.action} a ${change.kind}`);
      }
    },
  };
}

/** A watchlist item's URL names its watchlist. */
function watchlistAliasOf(change: PlannedChange): string {
  if (!change.parent) throw new Error(`watchlist item ${change.name} has no watchlist`);
  return change.parent;
}
