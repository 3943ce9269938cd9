import { arm, DEPLOYMENT_TEMPLATE_SCHEMA, type ArmValue } from '../arm/arm-json.js';
import { DEFAULT_AUTOMATION_RULE_ORDER, type Manifest } from '../manifest/types.js';
import { NOTIFY_AGAIN_AFTER_MINUTES } from '../playbook/notification-policy.js';
import { SENTINEL_API_VERSION } from './api-versions.js';
import type { RenderedRule } from './sentinel-rule.js';
import { uuidV5 } from './uuid-v5.js';

/**
 * When the playbook runs. `created`: an incident of our rules is created. `alerts-added`: an alert
 * is added to an incident that holds an alert of our rules; in the Defender portal, Defender's
 * correlation may merge a break-glass alert into an existing incident, which never raises
 * "incident created". The playbook notifies again for such updates at most every
 * NOTIFY_AGAIN_AFTER_MINUTES. Both conditions name our analytics rules by resource id, never by
 * title (Defender may rewrite titles).
 */
export const AUTOMATION_TRIGGERS = ['created', 'alerts-added'] as const;
export type AutomationTrigger = (typeof AUTOMATION_TRIGGERS)[number];

export function automationRuleGuid(manifest: Manifest, trigger: AutomationTrigger): string {
  // The first keeps the id it has always had, so existing workspaces update it in place.
  return uuidV5(trigger === 'created' ? 'breakglass-sentinel/automation-rule/notify' : 'breakglass-sentinel/automation-rule/notify-alerts-added', manifest.idNamespace.toLowerCase());
}

/** The automation rule's name in Sentinel (drill finds its runs in SentinelHealth by it). */
export function automationRuleDisplayName(trigger: AutomationTrigger): string {
  return trigger === 'created'
    ? 'Break-glass: notify people on every break-glass incident (breakglass-sentinel)'
    : `Break-glass: notify people when break-glass alerts join an incident, at most every ${NOTIFY_AGAIN_AFTER_MINUTES} minutes (breakglass-sentinel)`;
}

export function automationRuleLabel(trigger: AutomationTrigger): string {
  return trigger === 'created' ? 'automation rule: run the playbook on incident created' : 'automation rule: run the playbook when alerts are added';
}

/** A rule's full resource id inside the template's workspace: what incidents record. */
export function alertRuleResourceId(guid: string): ArmValue {
  return arm(`resourceId('Microsoft.OperationalInsights/workspaces/providers/alertRules', parameters('workspace'), 'Microsoft.SecurityInsights', '${guid}')`);
}

/**
 * The automation rule's properties. Ids are ARM expressions in a template and plain resource ids
 * when push sends it: one builder for both.
 */
export function automationRuleProperties<T>(manifest: Manifest, trigger: AutomationTrigger, ruleResourceIds: T[], playbookResourceId: T, tenantId: T) {
  const ourRules = { conditionType: 'Property', conditionProperties: { propertyName: 'IncidentRelatedAnalyticRuleIds', operator: 'Contains', propertyValues: ruleResourceIds } };
  return {
    displayName: automationRuleDisplayName(trigger),
    order: manifest.playbook?.automationRuleOrder ?? DEFAULT_AUTOMATION_RULE_ORDER,
    triggeringLogic: {
      isEnabled: true,
      triggersOn: 'Incidents',
      triggersWhen: trigger === 'created' ? 'Created' : 'Updated',
      conditions: trigger === 'created' ? [ourRules] : [{ conditionType: 'PropertyArrayChanged', conditionProperties: { arrayType: 'Alerts', changeType: 'Added' } }, ourRules],
    },
    actions: [{ order: 1, actionType: 'RunPlaybook', actionConfiguration: { logicAppResourceId: playbookResourceId, tenantId } }],
  };
}

export function automationRuleResources(manifest: Manifest, rules: readonly RenderedRule[], playbookResourceId: ArmValue): ArmValue[] {
  return AUTOMATION_TRIGGERS.map((trigger) => ({
    type: 'Microsoft.OperationalInsights/workspaces/providers/automationRules',
    apiVersion: SENTINEL_API_VERSION,
    name: arm(`concat(parameters('workspace'),'/Microsoft.SecurityInsights/${automationRuleGuid(manifest, trigger)}')`),
    properties: automationRuleProperties(manifest, trigger, rules.map((r) => alertRuleResourceId(r.guid)), playbookResourceId, arm('subscription().tenantId')),
  }));
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
    resources: automationRuleResources(manifest, rules, arm("parameters('PlaybookResourceId')")),
  };
}
