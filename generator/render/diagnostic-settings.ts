import { arm, TENANT_DEPLOYMENT_TEMPLATE_SCHEMA, type ArmValue } from '../arm/arm-json.js';
import type { Manifest } from '../manifest/types.js';

export const ENTRA_LOG_CATEGORIES = ['SignInLogs', 'NonInteractiveUserSignInLogs', 'AuditLogs'] as const;

export function workspaceResourceId(w: Manifest['workspaces'][number]): string {
  return `/subscriptions/${w.subscriptionId}/resourceGroups/${w.resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/${w.workspaceName}`;
}

/**
 * Tenant-level Entra ID diagnostic setting that sends the logs the rules read to the workspace.
 * Deployed at tenant scope (az deployment tenant create) by a Global or Security Administrator.
 */
export function diagnosticSettingsTemplate(manifest: Manifest): ArmValue {
  return {
    $schema: TENANT_DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {
      settingName: { type: 'string', defaultValue: 'breakglass-sentinel', metadata: { description: 'Name of the diagnostic setting.' } },
      workspaceResourceId: {
        type: 'string',
        defaultValue: workspaceResourceId(manifest.workspaces[0]!),
        metadata: { description: 'Resource id of the Log Analytics workspace that receives the Entra ID logs.' },
      },
    },
    resources: [
      {
        type: 'microsoft.aadiam/diagnosticSettings',
        apiVersion: '2017-04-01',
        scope: '/',
        name: arm("parameters('settingName')"),
        properties: {
          workspaceId: arm("parameters('workspaceResourceId')"),
          logs: ENTRA_LOG_CATEGORIES.map((category) => ({ category, enabled: true, retentionPolicy: { enabled: false, days: 0 } })),
        },
      },
    ],
  };
}
