import { arm, DEPLOYMENT_TEMPLATE_SCHEMA, type ArmValue } from '../arm/arm-json.js';
import type { Manifest } from '../manifest/types.js';
import { workspaceResourceId } from './diagnostic-settings.js';
import { isoDuration } from './durations.js';
import type { RenderedRule } from './sentinel-rule.js';

export const ACTION_GROUP_SHORT_NAME = 'BreakGlass';

/**
 * Azure Monitor's limits for a log search alert rule (Azure Monitor service limits, "Alerts":
 * "The total size of all data in the log alert rule properties can't exceed 64 KB", and a
 * description of at most 4,096 characters for log search alerts). A rule past them is refused
 * when it is deployed.
 */
export const MAX_LOG_ALERT_PROPERTIES_BYTES = 64 * 1024;
export const MAX_LOG_ALERT_DESCRIPTION = 4096;

/** The action group's default name: alerts.json creates it, watchers.json notifies it. */
export const DEFAULT_ACTION_GROUP_NAME = 'breakglass-notify';
export const SCHEDULED_QUERY_RULES_API_VERSION = '2023-03-15-preview';
export const ACTION_GROUPS_API_VERSION = '2023-01-01';

function receiverName(label: string, kind: string, index: number): string {
  const clean = label.replace(/[^A-Za-z0-9 _.-]/g, '').trim().slice(0, 40);
  return `${clean || kind} (${kind} ${index + 1})`;
}

/** Why Azure Monitor would refuse one of the alert rules: the rule, and what is too big. */
export interface AlertRuleTooLarge {
  ruleId: string;
  what: string;
}

/** The alert rules Azure Monitor would refuse (none for any manifest of a sensible size). Pure. */
export function oversizedAlertRules(template: ArmValue): AlertRuleTooLarge[] {
  const resources = (template as { resources: { type: string; name: string; properties: { description?: string } }[] }).resources;
  const found: AlertRuleTooLarge[] = [];
  for (const resource of resources.filter((r) => r.type === 'Microsoft.Insights/scheduledQueryRules')) {
    const ruleId = resource.name.replace(/^breakglass-/, '');
    const bytes = Buffer.byteLength(JSON.stringify(resource.properties), 'utf8');
    if (bytes > MAX_LOG_ALERT_PROPERTIES_BYTES) found.push({ ruleId, what: `its properties are ${Math.ceil(bytes / 1024)} KB (the limit is ${MAX_LOG_ALERT_PROPERTIES_BYTES / 1024} KB)` });
    const description = resource.properties.description ?? '';
    if (description.length > MAX_LOG_ALERT_DESCRIPTION) found.push({ ruleId, what: `its description is ${description.length} characters (the limit is ${MAX_LOG_ALERT_DESCRIPTION})` });
  }
  return found;
}

/**
 * The same detections for tenants without Sentinel: Azure Monitor log alerts (severity 0,
 * critical) on the workspace, all notifying one action group with the manifest's e-mail and SMS
 * recipients. Rules read the accounts inline: watchlists are a Sentinel feature.
 */
export function azureMonitorTemplate(manifest: Manifest, inlineRules: readonly RenderedRule[]): ArmValue {
  const n = manifest.notifications;
  const actionGroup: ArmValue = {
    type: 'Microsoft.Insights/actionGroups',
    apiVersion: ACTION_GROUPS_API_VERSION,
    name: arm("parameters('actionGroupName')"),
    location: 'Global',
    properties: {
      groupShortName: ACTION_GROUP_SHORT_NAME,
      enabled: true,
      emailReceivers: n.email.map((r, i) => ({ name: receiverName(r.name ?? r.address, 'email', i), emailAddress: r.address, useCommonAlertSchema: true })),
      smsReceivers: (n.sms ?? []).map((r, i) => ({ name: receiverName(r.name ?? '', 'sms', i), countryCode: r.countryCode, phoneNumber: r.phoneNumber })),
    },
  };
  const alerts: ArmValue[] = inlineRules
    .filter((r) => r.enabled)
    .map((rule) => ({
      type: 'Microsoft.Insights/scheduledQueryRules',
      apiVersion: SCHEDULED_QUERY_RULES_API_VERSION,
      name: `breakglass-${rule.id}`,
      location: arm("parameters('location')"),
      dependsOn: [arm("resourceId('Microsoft.Insights/actionGroups', parameters('actionGroupName'))")],
      tags: { 'managed-by': 'breakglass-sentinel' },
      properties: {
        displayName: rule.template.name,
        description: rule.properties.description ?? rule.template.description,
        severity: 0,
        enabled: true,
        evaluationFrequency: isoDuration('5m'),
        windowSize: isoDuration('5m'),
        scopes: [arm("parameters('workspaceResourceId')")],
        criteria: {
          allOf: [
            {
              query: rule.query.text,
              timeAggregation: 'Count',
              operator: 'GreaterThan',
              threshold: 0,
              failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
            },
          ],
        },
        autoMitigate: false,
        actions: { actionGroups: [arm("resourceId('Microsoft.Insights/actionGroups', parameters('actionGroupName'))")] },
      },
    }));
  return {
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {
      workspaceResourceId: { type: 'string', defaultValue: workspaceResourceId(manifest.workspaces[0]!), metadata: { description: 'Log Analytics workspace that holds the Entra ID logs.' } },
      actionGroupName: { type: 'string', defaultValue: DEFAULT_ACTION_GROUP_NAME, metadata: { description: 'Name of the action group.' } },
      location: { type: 'string', defaultValue: arm('resourceGroup().location'), metadata: { description: 'Region of the alert rules (the workspace region).' } },
    },
    resources: [actionGroup, ...alerts],
  };
}
