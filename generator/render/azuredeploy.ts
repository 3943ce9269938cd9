import { arm, DEPLOYMENT_TEMPLATE_SCHEMA, type ArmValue } from '../arm/arm-json.js';
import type { Manifest } from '../manifest/types.js';
import { playbookParameters, playbookResources, playbookVariables } from '../playbook/playbook-template.js';
import type { PlaybookSource } from '../playbook/playbook-definition.js';
import { validationReminderResources } from '../playbook/reminder-template.js';
import { alertRuleResource } from './arm-rule-template.js';
import { automationRuleResources, alertRuleResourceId } from './automation-rule.js';
import { queryContext } from './query-context.js';
import type { RenderedRules } from './render-rules.js';
import { watchlistResource } from './watchlist-resource.js';

const PLAYBOOK_ID = arm("resourceId('Microsoft.Logic/workflows', parameters('PlaybookName'))");

/**
 * Every Sentinel-side resource in one template, in dependency order: the watchlist before the
 * rules that read it, the rules and the playbook before the automation rule that joins them.
 */
export function azureDeployTemplate(manifest: Manifest, rendered: RenderedRules, playbook: PlaybookSource, workbook: ArmValue): ArmValue {
  const alias = queryContext(manifest).watchlist.alias;
  const watchlistId = arm(`resourceId('Microsoft.OperationalInsights/workspaces/providers/Watchlists', parameters('workspace'), 'Microsoft.SecurityInsights', '${alias}')`);
  const readsWatchlist = rendered.accountSource === 'watchlist';
  const rules = rendered.rules.map((rule) => ({ ...alertRuleResource(rule), ...(readsWatchlist ? { dependsOn: [watchlistId] } : {}) }));
  const automation = automationRuleResources(manifest, rendered.rules, PLAYBOOK_ID) as Record<string, ArmValue>[];
  return {
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {
      workspace: { type: 'string', metadata: { description: 'Name of the Log Analytics workspace that Microsoft Sentinel runs on (in this resource group).' } },
      ...playbookParameters(manifest),
    },
    variables: playbookVariables(manifest),
    resources: [
      watchlistResource(manifest),
      ...rules,
      ...playbookResources(manifest, rendered.rules, playbook),
      ...validationReminderResources(manifest, playbook),
      ...automation.map((resource) => ({ ...resource, dependsOn: [PLAYBOOK_ID, ...rendered.rules.map((r) => alertRuleResourceId(r.guid))] })),
      workbook,
    ],
  };
}
