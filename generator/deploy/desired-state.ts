import { createHash } from 'node:crypto';
import { DEPLOYMENT_TEMPLATE_SCHEMA, toArmJson, type ArmValue } from '../arm/arm-json.js';
import type { Manifest, Workspace } from '../manifest/types.js';
import { automationRuleGuid, automationRuleProperties } from '../render/automation-rule.js';
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

export interface DesiredResource {
  kind: ResourceKind;
  /** The name in the resource's URL: a GUID, an alias, an item id. */
  name: string;
  /** What a person calls it. */
  label: string;
  /** For watchlist items: the watchlist's alias. */
  parent?: string;
  /** What is sent. */
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

export const DEPLOYMENT_NAME = 'breakglass-sentinel-playbook-workbook';
export const DEPLOYMENT_HASH_TAG = 'breakglass-sentinel-hash';

export function workspaceLabel(w: Workspace): string {
  return w.name ?? w.workspaceName;
}

function workspaceScope(w: Workspace): string {
  return `/subscriptions/${w.subscriptionId}/resourceGroups/${w.resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/${w.workspaceName}`;
}

export function watchlistItemId(manifest: Manifest, objectId: string): string {
  return uuidV5(`breakglass-sentinel/watchlist-item/${objectId.toLowerCase()}`, manifest.idNamespace.toLowerCase());
}

/** Everything push puts into one workspace, built from the rendered content. Pure. */
export function desiredState(input: DesiredInput, workspace: Workspace): DesiredResource[] {
  const { manifest, rendered } = input;
  const alias = queryContext(manifest).watchlist.alias;
  const resources: DesiredResource[] = [];

  // Items are written one by one with ids of our own, so the watchlist is created without rawContent.
  const watchlist = watchlistProperties(manifest);
  resources.push({ kind: 'watchlist', name: alias, label: `watchlist ${alias}`, body: watchlist, compare: watchlist });
  for (const itemsKeyValue of watchlistItems(manifest)) {
    resources.push({ kind: 'watchlistItem', name: watchlistItemId(manifest, itemsKeyValue.ObjectId), parent: alias, label: `watchlist item ${itemsKeyValue.UserPrincipalName}`, body: { itemsKeyValue }, compare: { itemsKeyValue } });
  }

  for (const rule of rendered.rules) {
    const body = { kind: rule.apiKind, ...rule.properties };
    resources.push({ kind: 'alertRule', name: rule.guid, label: `rule ${rule.id}`, body, compare: body });
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
  resources.push({
    kind: 'deployment',
    name: DEPLOYMENT_NAME,
    label: `deployment of playbook ${playbookName(manifest)} and workbook`,
    body: { properties: { mode: 'Incremental', template, parameters }, tags: { [DEPLOYMENT_HASH_TAG]: hash } },
    compare: { tags: { [DEPLOYMENT_HASH_TAG]: hash }, properties: { provisioningState: 'Succeeded' } },
  });

  const ruleIds = rendered.rules.map((r) => `${workspaceScope(workspace)}/providers/Microsoft.SecurityInsights/alertRules/${r.guid}`);
  const playbookId = `/subscriptions/${workspace.subscriptionId}/resourceGroups/${workspace.resourceGroup}/providers/Microsoft.Logic/workflows/${playbookName(manifest)}`;
  const automation = automationRuleProperties(manifest, ruleIds, playbookId, input.tenantId);
  resources.push({ kind: 'automationRule', name: automationRuleGuid(manifest), label: 'automation rule (runs the playbook)', body: automation, compare: automation });
  return resources;
}
