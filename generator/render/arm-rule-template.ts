import { arm, DEPLOYMENT_TEMPLATE_SCHEMA, type ArmExpression } from '../arm/arm-json.js';
import { SENTINEL_API_VERSION } from './api-versions.js';
import type { RenderedRule } from './sentinel-rule.js';
export const ALERT_RULE_RESOURCE_TYPE = 'Microsoft.OperationalInsights/workspaces/providers/alertRules';

export interface ArmRuleTemplate {
  $schema: string;
  contentVersion: string;
  parameters: { workspace: { type: 'String'; metadata: { description: string } } };
  resources: {
    id: ArmExpression;
    name: ArmExpression;
    type: typeof ALERT_RULE_RESOURCE_TYPE;
    kind: RenderedRule['apiKind'];
    apiVersion: string;
    properties: RenderedRule['properties'];
  }[];
}

/** The rule as a resource of a template that has a `workspace` parameter. */
export function alertRuleResource(rule: RenderedRule): ArmRuleTemplate['resources'][number] {
  return {
    id: arm(`concat(resourceId('Microsoft.OperationalInsights/workspaces/providers', parameters('workspace'), 'Microsoft.SecurityInsights'),'/alertRules/${rule.guid}')`),
    name: arm(`concat(parameters('workspace'),'/Microsoft.SecurityInsights/${rule.guid}')`),
    type: ALERT_RULE_RESOURCE_TYPE,
    kind: rule.apiKind,
    apiVersion: SENTINEL_API_VERSION,
    properties: rule.properties,
  };
}

/** One rule as Sentinel's Analytics > Export writes it and Analytics > Import reads it. */
export function armRuleTemplate(rule: RenderedRule): ArmRuleTemplate {
  return {
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {
      workspace: { type: 'String', metadata: { description: 'Name of the Log Analytics workspace that Microsoft Sentinel runs on.' } },
    },
    resources: [alertRuleResource(rule)],
  };
}
