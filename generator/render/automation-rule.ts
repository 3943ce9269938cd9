import { arm, DEPLOYMENT_TEMPLATE_SCHEMA, type ArmValue } from '../arm/arm-json.js';
import { DEFAULT_AUTOMATION_RULE_ORDER, type Manifest } from '../manifest/types.js';
import { ALERT_RULES_API_VERSION } from './arm-rule-template.js';
import type { RenderedRule } from './sentinel-rule.js';
import { uuidV5 } from './uuid-v5.js';

/** The automation rule's name in Sentinel (drill finds its runs in SentinelHealth by it). */
export const automationRuleDisplayName = 'Break-glass: notify people on every break-glass incident (breakglass-sentinel)';

export function automationRuleGuid(manifest: Manifest): string {
  return uuidV5('breakglass-sentinel/automation-rule/notify', manifest.idNamespace.toLowerCase());
}

/** A rule's full resource id inside the template's workspace: what incidents record. */
export function alertRuleResourceId(guid: string): ArmValue {
  return arm(`resourceId('Microsoft.OperationalInsights/workspaces/providers/alertRules', parameters('workspace'), 'Microsoft.SecurityInsights', '${guid}')`);
}

/**
 * Runs the playbook for every incident that any of our rules creates. The condition is on the
 * incident's analytics rule ids, which NRT and scheduled rules both record. Ids are ARM
 * expressions in a template and plain resource ids when push sends it.
 */
export function automationRuleProperties<T>(manifest: Manifest, ruleResourceIds: T[], playbookResourceId: T, tenantId: T) {
  return {
    displayName: automationRuleDisplayName,
    order: manifest.playbook?.automationRuleOrder ?? DEFAULT_AUTOMATION_RULE_ORDER,
    triggeringLogic: {
      isEnabled: true,
      triggersOn: 'Incidents',
      triggersWhen: 'Created',
      conditions: [{ conditionType: 'Property', conditionProperties: { propertyName: 'IncidentRelatedAnalyticRuleIds', operator: 'Contains', propertyValues: ruleResourceIds } }],
    },
    actions: [{ order: 1, actionType: 'RunPlaybook', actionConfiguration: { logicAppResourceId: playbookResourceId, tenantId } }],
  };
}

export function automationRuleResource(manifest: Manifest, rules: readonly RenderedRule[], playbookResourceId: ArmValue): ArmValue {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/providers/automationRules',
    apiVersion: ALERT_RULES_API_VERSION,
    name: arm(`concat(parameters('workspace'),'/Microsoft.SecurityInsights/${automationRuleGuid(manifest)}')`),
    properties: automationRuleProperties(manifest, rules.map((r) => alertRuleResourceId(r.guid)), playbookResourceId, arm('subscription().tenantId')),
  };
}

/** out/arm/automation-rule.json, for a workspace where the playbook is already deployed. */
export function automationRuleTemplate(manifest: Manifest, rules: readonly RenderedRule[]): ArmValue {
  return {
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {
      workspace: { type: 'string', metadata: { description: 'Name of the Log Analytics workspace that Microsoft Sentinel runs on.' } },
      PlaybookResourceId: {
        type: 'string',
        defaultValue: arm(`resourceId('Microsoft.Logic/workflows', '${manifest.playbook?.name ?? 'BreakGlass-Notify'}')`),
        metadata: { description: 'Resource id of the notification playbook (out/arm/playbook.json).' },
      },
    },
    resources: [automationRuleResource(manifest, rules, arm("parameters('PlaybookResourceId')"))],
  };
}
