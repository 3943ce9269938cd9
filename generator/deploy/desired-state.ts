import { createHash } from 'node:crypto';
import { DEPLOYMENT_TEMPLATE_SCHEMA, toArmJson, type ArmValue } from '../arm/arm-json.js';
import type { Manifest, Workspace } from '../manifest/types.js';
import { DEPLOYMENTS_API_VERSION, SENTINEL_API_VERSION } from '../render/api-versions.js';
import { AUTOMATION_TRIGGERS, automationRuleGuid, automationRuleLabel, automationRuleProperties } from '../render/automation-rule.js';
import { watchlistProperties } from '../render/watchlist-resource.js';
import { playbookName, playbookParameters, playbookResources, playbookVariables } from '../playbook/playbook-template.js';
import type { PlaybookSource } from '../playbook/playbook-definition.js';
import { validationReminderResources } from '../playbook/reminder-template.js';
import { queryContext } from '../render/query-context.js';
import type { RenderedRules } from '../render/render-rules.js';
import { uuidV5 } from '../render/uuid-v5.js';
import { watchlistItems } from '../render/watchlist-csv.js';

export type ResourceKind = 'watchlist' | 'watchlistItem' | 'alertRule' | 'deployment' | 'automationRule';

/** Creates and updates run phase by phase (a phase may read what an earlier one made); deletes run in reverse. */
export const PHASES: readonly ResourceKind[] = ['watchlist', 'watchlistItem', 'alertRule', 'deployment', 'automationRule'];

/** The API version of each kind of resource, for reads and writes alike. */
export const API_VERSION_OF: Record<ResourceKind, string> = {
  watchlist: SENTINEL_API_VERSION,
  watchlistItem: SENTINEL_API_VERSION,
  alertRule: SENTINEL_API_VERSION,
  automationRule: SENTINEL_API_VERSION,
  deployment: DEPLOYMENTS_API_VERSION,
};

export interface DesiredResource {
  kind: ResourceKind;
  /** The name in the resource's URL: a GUID, an alias, an item id. */
  name: string;
  /** The resource's path under the Resource Manager endpoint. */
  path: string;
  /** What a person calls it. */
  label: string;
  /** The request body, exactly as sent: `{ kind?, properties, tags? }` (an etag is added for updates). */
  body: Record<string, unknown>;
  /** What must match in the workspace for no change to be needed (a subset of what the server returns). */
  compare: Record<string, unknown>;
}

export interface DesiredInput {
  manifest: Manifest;
  rendered: RenderedRules;
  playbook: PlaybookSource;
  workbookResource: ArmValue;
  tenantId: string;
}

export const DEPLOYMENT_HASH_TAG = 'breakglass-sentinel-hash';

export function workspaceLabel(w: Workspace): string {
  return w.name ?? w.workspaceName;
}

/**
 * One segment of a Resource Manager path. The manifest's schema holds Azure's naming rules; this
 * is the last guard before a request: a name like `..` or one with a slash would change which
 * resource a URL names (a subscription-wide path instead of a workspace's).
 */
export function pathSegment(value: string, what: string): string {
  if (value === '' || value === '.' || value === '..' || /[/\\?#%\u0000-\u001f]/.test(value)) throw new Error(`${what} ${JSON.stringify(value)} cannot be part of a Resource Manager path`);
  return value;
}

export function workspaceResourceId(w: Workspace): string {
  return `/subscriptions/${pathSegment(w.subscriptionId, 'subscription id')}/resourceGroups/${pathSegment(w.resourceGroup, 'resource group')}/providers/Microsoft.OperationalInsights/workspaces/${pathSegment(w.workspaceName, 'workspace name')}`;
}

function resourceGroupScope(w: Workspace): string {
  return `/subscriptions/${pathSegment(w.subscriptionId, 'subscription id')}/resourceGroups/${pathSegment(w.resourceGroup, 'resource group')}`;
}

/** Where Sentinel's resources of a workspace live. */
export function sentinelScope(w: Workspace): string {
  return `${workspaceResourceId(w)}/providers/Microsoft.SecurityInsights`;
}

/**
 * The resource-group deployment that holds the playbook and the workbook, named per manifest and
 * workspace: two workspaces in one resource group (or two manifests on one workspace) each keep
 * their own deployment instead of overwriting each other's.
 */
export function deploymentName(manifest: Manifest, w: Workspace): string {
  const id = uuidV5(`breakglass-sentinel/deployment/${workspaceResourceId(w).toLowerCase()}`, manifest.idNamespace.toLowerCase());
  return `breakglass-sentinel-${id.replace(/-/g, '').slice(0, 16)}`;
}

export function watchlistItemId(manifest: Manifest, objectId: string): string {
  return uuidV5(`breakglass-sentinel/watchlist-item/${objectId.toLowerCase()}`, manifest.idNamespace.toLowerCase());
}

/** Everything push puts into one workspace, built from the rendered content by the same builders as the templates. Pure. */
export function desiredState(input: DesiredInput, workspace: Workspace): DesiredResource[] {
  const { manifest, rendered } = input;
  const alias = queryContext(manifest).watchlist.alias;
  const scope = sentinelScope(workspace);
  const resources: DesiredResource[] = [];

  // Items are written one by one with ids of our own, so the watchlist is created without rawContent.
  const watchlist = { properties: watchlistProperties(manifest) };
  resources.push({ kind: 'watchlist', name: alias, path: `${scope}/watchlists/${pathSegment(alias, 'watchlist alias')}`, label: `watchlist ${alias}`, body: watchlist, compare: watchlist });
  for (const itemsKeyValue of watchlistItems(manifest)) {
    const name = watchlistItemId(manifest, itemsKeyValue.ObjectId);
    const body = { properties: { itemsKeyValue } };
    resources.push({ kind: 'watchlistItem', name, path: `${scope}/watchlists/${alias}/watchlistItems/${name}`, label: `watchlist item ${itemsKeyValue.UserPrincipalName}`, body, compare: body });
  }

  for (const rule of rendered.rules) {
    const body = { kind: rule.apiKind, properties: rule.properties };
    resources.push({ kind: 'alertRule', name: rule.guid, path: `${scope}/alertRules/${rule.guid}`, label: `rule ${rule.id}`, body, compare: body });
  }

  const template = toArmJson({
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {
      workspace: { type: 'string' },
      ...playbookParameters(manifest),
    },
    variables: playbookVariables(manifest),
    resources: [...playbookResources(manifest, rendered.rules, input.playbook), ...validationReminderResources(manifest, input.playbook), input.workbookResource],
  }) as Record<string, unknown>;
  const parameters = {
    workspace: { value: workspace.workspaceName },
    AcsEndpoint: { value: manifest.playbook?.acsEndpoint ?? '' },
    SmsFromNumber: { value: manifest.playbook?.smsFromNumber ?? '' },
  };
  const hash = createHash('sha256').update(JSON.stringify({ template, parameters })).digest('hex').slice(0, 32);
  const deployment = deploymentName(manifest, workspace);
  resources.push({
    kind: 'deployment',
    name: deployment,
    path: `${resourceGroupScope(workspace)}/providers/Microsoft.Resources/deployments/${deployment}`,
    label: `deployment of playbook ${playbookName(manifest)} and workbook`,
    body: { properties: { mode: 'Incremental', template, parameters }, tags: { [DEPLOYMENT_HASH_TAG]: hash } },
    compare: { tags: { [DEPLOYMENT_HASH_TAG]: hash }, properties: { provisioningState: 'Succeeded' } },
  });

  const ruleIds = rendered.rules.map((r) => `${scope}/alertRules/${r.guid}`);
  const playbookId = `${resourceGroupScope(workspace)}/providers/Microsoft.Logic/workflows/${playbookName(manifest)}`;
  for (const trigger of AUTOMATION_TRIGGERS) {
    const name = automationRuleGuid(manifest, trigger);
    const body = { properties: automationRuleProperties(manifest, trigger, ruleIds, playbookId, input.tenantId) };
    resources.push({ kind: 'automationRule', name, path: `${scope}/automationRules/${name}`, label: automationRuleLabel(trigger), body, compare: body });
  }
  return resources;
}
