import { arm, DEPLOYMENT_TEMPLATE_SCHEMA, type ArmValue } from '../arm/arm-json.js';
import { logicAppText } from '../logic-app/literal-text.js';
import { DEFAULT_PLAYBOOK_NAME, type Manifest } from '../manifest/types.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { renderMessage, truncatedMessage, type MessageContext } from './message-templates.js';
import type { PlaybookSource } from './playbook-definition.js';
import { NOTIFY_AGAIN_AFTER_MINUTES } from './notification-policy.js';
import { ACTIONS, RUNTIME } from './runtime-values.js';
import { SENTINEL_API_VERSION } from '../render/api-versions.js';

export const SMS_MAX_LENGTH = 160;
export const WORKFLOW_API_VERSION = '2017-07-01';
export const CONNECTION_API_VERSION = '2016-06-01';
/** Azure Communication Services SMS REST API version the playbook calls. */
export const ACS_SMS_API_VERSION = '2021-03-07';
const ALL_OUTCOMES = ['Succeeded', 'Failed', 'Skipped', 'TimedOut'];

/**
 * The incident comment the playbook writes after notifying starts with this: how a later run for
 * the same incident (alerts added) knows when people were last told.
 */
export const NOTIFIED_MARKER = 'breakglass-sentinel: people notified';

export function playbookName(manifest: Manifest): string {
  return manifest.playbook?.name ?? DEFAULT_PLAYBOOK_NAME;
}

/** The manifest values the messages name, as people read them. */
export function messageContext(manifest: Manifest, source: PlaybookSource): MessageContext {
  const n = manifest.notifications;
  return {
    playbookTitle: source.metadata.title,
    watchedAccounts: manifest.accounts.map((a) => a.userPrincipalName),
    exclusionGroup: manifest.exclusionGroup.displayName,
    emailRecipients: n.email.map((r) => (r.name ? `${r.name} (${r.address})` : r.address)),
    // Incident comments are read by every analyst: phone numbers are shown by their last digits.
    smsRecipients: (n.sms ?? []).map((r) => `${r.name ? `${r.name} ` : ''}+${r.countryCode} ***${r.phoneNumber.slice(-4)}`),
    teamsChannel: n.teams ? `${n.teams.channelId} (team ${n.teams.teamId})` : false,
  };
}

export type Connection = 'azuresentinel' | 'office365' | 'teams';

export function connectionsUsed(manifest: Manifest): Connection[] {
  return ['azuresentinel', 'office365', ...(manifest.notifications.teams ? (['teams'] as const) : [])];
}

function connectionVariable(name: Connection): string {
  return `${name}ConnectionName`;
}

export function apiConnection(name: Connection, method: string, path: string, body: ArmValue): ArmValue {
  return { type: 'ApiConnection', inputs: { host: { connection: { name: `@parameters('$connections')['${name}']['connectionId']` } }, method, path, body } };
}

/** The Logic App workflow definition: trigger, entity extraction, notifications, comment. */
export function workflowDefinition(manifest: Manifest, rules: readonly RenderedRule[], source: PlaybookSource): ArmValue {
  const context = messageContext(manifest, source);
  const m = source.messages;
  // Runs for the same incident wait for each other (trigger concurrency 1 below), so a run sees the
  // comment of the run before it. If the comments cannot be read, people are told anyway.
  const notify = {
    [ACTIONS.accountNames]: ['Succeeded'],
    [ACTIONS.ipAddresses]: ['Succeeded'],
    [ACTIONS.ruleNames]: ['Succeeded'],
    [ACTIONS.notifiedRecently]: ALL_OUTCOMES,
  };
  const n = manifest.notifications;
  const entity = (field: string) => `item()?['properties']?['${field}']`;
  const actions: Record<string, ArmValue> = {
    [ACTIONS.ruleNames]: {
      type: 'Compose',
      inputs: Object.fromEntries(rules.map((r) => [r.guid, logicAppText(r.template.name)])),
      runAfter: {},
    },
    // Accounts are named by their Entra object id (AadUserId): since July 2026 the Account entity's
    // Name is only the UPN prefix, so it never identifies an account on its own.
    [ACTIONS.breakGlassAccounts]: {
      type: 'Compose',
      inputs: Object.fromEntries(manifest.accounts.map((a) => [a.objectId.toLowerCase(), logicAppText(a.userPrincipalName)])),
      runAfter: {},
    },
    [ACTIONS.incidentComments]: {
      type: 'Http',
      inputs: {
        method: 'GET',
        uri: `@{parameters('ResourceManager')}@{${RUNTIME.incidentArmId}}/comments?api-version=${SENTINEL_API_VERSION}`,
        authentication: { type: 'ManagedServiceIdentity', audience: "@{parameters('ResourceManager')}/" },
      },
      runAfter: {},
    },
    [ACTIONS.recentNotifications]: {
      type: 'Query',
      inputs: {
        from: `@coalesce(body('${ACTIONS.incidentComments}')?['value'], createArray())`,
        where: `@and(contains(string(${entity('message')}), '${NOTIFIED_MARKER}'), greater(ticks(${entity('createdTimeUtc')}), ticks(addMinutes(utcNow(), -${NOTIFY_AGAIN_AFTER_MINUTES}))))`,
      },
      runAfter: { [ACTIONS.incidentComments]: ['Succeeded'] },
    },
    // Alerts added to an incident already notified about within the window: stop quietly (the run
    // history says why). The first run for an incident always notifies.
    [ACTIONS.notifiedRecently]: {
      type: 'If',
      expression: { and: [{ greater: [`@length(body('${ACTIONS.recentNotifications}'))`, 0] }] },
      actions: { Stop_notified_recently: { type: 'Terminate', inputs: { runStatus: 'Succeeded' }, runAfter: {} } },
      else: { actions: {} },
      runAfter: { [ACTIONS.recentNotifications]: ['Succeeded'] },
    },
    [ACTIONS.accountEntities]: { type: 'Query', inputs: { from: `@${RUNTIME.relatedEntities}`, where: "@equals(item()?['kind'], 'Account')" }, runAfter: {} },
    [ACTIONS.ipEntities]: { type: 'Query', inputs: { from: `@${RUNTIME.relatedEntities}`, where: "@equals(item()?['kind'], 'Ip')" }, runAfter: {} },
    [ACTIONS.accountNames]: {
      type: 'Select',
      inputs: {
        from: `@body('${ACTIONS.accountEntities}')`,
        // The manifest's UPN for a break-glass account's object id; otherwise the full UPN
        // (prefix and suffix), then the object id.
        select: `@coalesce(outputs('${ACTIONS.breakGlassAccounts}')?[toLower(coalesce(${entity('aadUserId')}, ''))], if(empty(${entity('upnSuffix')}), null, concat(${entity('accountName')}, '@', ${entity('upnSuffix')})), ${entity('aadUserId')}, ${entity('friendlyName')})`,
      },
      runAfter: { [ACTIONS.accountEntities]: ['Succeeded'], [ACTIONS.breakGlassAccounts]: ['Succeeded'] },
    },
    [ACTIONS.ipAddresses]: {
      type: 'Select',
      inputs: { from: `@body('${ACTIONS.ipEntities}')`, select: "@item()?['properties']?['address']" },
      runAfter: { [ACTIONS.ipEntities]: ['Succeeded'] },
    },
    [ACTIONS.email]: {
      ...(apiConnection('office365', 'post', '/v2/Mail', {
        To: logicAppText(n.email.map((r) => r.address).join(';')),
        Subject: renderMessage(m['email-subject.txt'], 'plain', context),
        Body: renderMessage(m['email-body.html'], 'html', context),
        Importance: 'High',
      }) as object),
      runAfter: notify,
    },
  };
  const commentAfter: Record<string, string[]> = { [ACTIONS.email]: ALL_OUTCOMES };
  if (n.sms && n.sms.length > 0) {
    actions[ACTIONS.sms] = {
      type: 'Http',
      inputs: {
        method: 'POST',
        uri: `@{parameters('AcsEndpoint')}/sms?api-version=${ACS_SMS_API_VERSION}`,
        headers: { 'Content-Type': 'application/json' },
        body: {
          from: "@parameters('SmsFromNumber')",
          smsRecipients: n.sms.map((r) => ({ to: `+${r.countryCode}${r.phoneNumber}` })),
          message: truncatedMessage(renderMessage(m['sms.txt'], 'plain', context), SMS_MAX_LENGTH),
          smsSendOptions: { enableDeliveryReport: true, tag: 'breakglass-sentinel' },
        },
        // The workflow's own identity: no key of the Communication Services resource is stored.
        authentication: { type: 'ManagedServiceIdentity', audience: 'https://communication.azure.com' },
      },
      runAfter: notify,
    };
    commentAfter[ACTIONS.sms] = ALL_OUTCOMES;
  }
  if (n.teams) {
    actions[ACTIONS.teams] = {
      ...(apiConnection('teams', 'post', "/beta/teams/conversation/message/poster/@{encodeURIComponent('Flow bot')}/location/@{encodeURIComponent('Channel')}", {
        recipient: { groupId: n.teams.teamId, channelId: logicAppText(n.teams.channelId) },
        messageBody: renderMessage(m['teams.html'], 'html', context),
      }) as object),
      runAfter: notify,
    };
    commentAfter[ACTIONS.teams] = ALL_OUTCOMES;
  }
  actions[ACTIONS.comment] = {
    ...(apiConnection('azuresentinel', 'post', '/Incidents/Comment', {
      incidentArmId: `@${RUNTIME.incidentArmId}`,
      message: `<p>${NOTIFIED_MARKER}</p>${renderMessage(m['incident-comment.html'], 'html', context)}`,
    }) as object),
    runAfter: commentAfter,
  };
  return {
    $schema: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
    contentVersion: '1.0.0.0',
    parameters: {
      $connections: { defaultValue: {}, type: 'Object' },
      AcsEndpoint: { defaultValue: '', type: 'String' },
      SmsFromNumber: { defaultValue: '', type: 'String' },
      ResourceManager: { defaultValue: 'https://management.azure.com', type: 'String' },
    },
    triggers: {
      Microsoft_Sentinel_incident: {
        type: 'ApiConnectionWebhook',
        // One run at a time: a run for alerts added waits for the run before it and sees its comment.
        runtimeConfiguration: { concurrency: { runs: 1 } },
        inputs: {
          body: { callback_url: '@{listCallbackUrl()}' },
          host: { connection: { name: "@parameters('$connections')['azuresentinel']['connectionId']" } },
          path: '/incident-creation',
        },
      },
    },
    actions,
    outputs: {},
  };
}

const managedApi = (api: Connection) => arm(`concat('/subscriptions/', subscription().subscriptionId, '/providers/Microsoft.Web/locations/', parameters('location'), '/managedApis/${api}')`);

/** ARM parameters of the playbook, shared with azuredeploy.json. */
export function playbookParameters(manifest: Manifest): Record<string, ArmValue> {
  return {
    PlaybookName: { type: 'string', defaultValue: playbookName(manifest), metadata: { description: 'Name of the Logic App.' } },
    location: { type: 'string', defaultValue: arm('resourceGroup().location'), metadata: { description: 'Region of the Logic App and its connections.' } },
    AcsEndpoint: { type: 'string', defaultValue: '', metadata: { description: 'Endpoint of the Azure Communication Services resource that sends SMS, e.g. https://contoso-acs.communication.azure.com.' } },
    SmsFromNumber: { type: 'string', defaultValue: '', metadata: { description: 'SMS-enabled phone number of that resource, in E.164 form (+18005550100).' } },
  };
}

/** The Logic App and the API connections it uses, as resources of a template. */
export function playbookResources(manifest: Manifest, rules: readonly RenderedRule[], source: PlaybookSource): ArmValue[] {
  const used = connectionsUsed(manifest);
  const connections: ArmValue[] = used.map((api) => ({
    type: 'Microsoft.Web/connections',
    apiVersion: CONNECTION_API_VERSION,
    name: arm(`variables('${connectionVariable(api)}')`),
    location: arm("parameters('location')"),
    kind: 'V1',
    properties: {
      displayName: arm(`variables('${connectionVariable(api)}')`),
      customParameterValues: {},
      // The Sentinel connection authenticates as the workflow's managed identity.
      ...(api === 'azuresentinel' ? { parameterValueType: 'Alternative' } : {}),
      api: { id: managedApi(api) },
    },
  }));
  const workflow = workflowResource({
    name: arm("parameters('PlaybookName')"),
    templateName: 'breakglass-notify',
    version: source.metadata.version,
    connections: used,
    definition: workflowDefinition(manifest, rules, source),
    parameters: {
      AcsEndpoint: { value: arm("parameters('AcsEndpoint')") },
      SmsFromNumber: { value: arm("parameters('SmsFromNumber')") },
      ResourceManager: { value: RESOURCE_MANAGER_OF_THIS_CLOUD },
    },
  });
  return [...connections, workflow];
}

/** A Logic App of ours with a system-assigned identity, using API connections of the same template. */
export function workflowResource(w: { name: ArmValue; templateName: string; version: string; connections: readonly Connection[]; definition: ArmValue; parameters: Record<string, ArmValue> }): ArmValue {
  return {
    type: 'Microsoft.Logic/workflows',
    apiVersion: WORKFLOW_API_VERSION,
    name: w.name,
    location: arm("parameters('location')"),
    tags: { 'hidden-SentinelTemplateName': w.templateName, 'hidden-SentinelTemplateVersion': w.version, 'managed-by': 'breakglass-sentinel' },
    identity: { type: 'SystemAssigned' },
    dependsOn: w.connections.map(connectionResourceId),
    properties: { state: 'Enabled', definition: w.definition, parameters: { $connections: { value: connectionParameterValues(w.connections) }, ...w.parameters } },
  };
}

/** The workflow's `$connections` value for the API connections of this template. */
export function connectionParameterValues(used: readonly Connection[]): ArmValue {
  return Object.fromEntries(
    used.map((api) => [
      api,
      {
        connectionId: connectionResourceId(api),
        connectionName: arm(`variables('${connectionVariable(api)}')`),
        id: managedApi(api),
        ...(api === 'azuresentinel' ? { connectionProperties: { authentication: { type: 'ManagedServiceIdentity' } } } : {}),
      },
    ]),
  );
}

export function connectionResourceId(api: Connection): ArmValue {
  return arm(`resourceId('Microsoft.Web/connections', variables('${connectionVariable(api)}'))`);
}

/** This cloud's Resource Manager endpoint, from ARM's environment(), without the trailing slash it has. */
export const RESOURCE_MANAGER_OF_THIS_CLOUD = arm("if(endsWith(environment().resourceManager, '/'), take(environment().resourceManager, sub(length(environment().resourceManager), 1)), environment().resourceManager)");

export function playbookVariables(manifest: Manifest): Record<string, ArmValue> {
  return Object.fromEntries(connectionsUsed(manifest).map((api) => [connectionVariable(api), arm(`concat('${api}-', parameters('PlaybookName'))`)]));
}

/** out/arm/playbook.json: deployable as is, with the metadata block Azure-Sentinel playbooks carry. */
export function playbookTemplate(manifest: Manifest, rules: readonly RenderedRule[], source: PlaybookSource): ArmValue {
  const meta = source.metadata;
  return {
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: {
      title: meta.title,
      description: meta.description,
      prerequisites: meta.prerequisites,
      postDeployment: meta.postDeployment,
      lastUpdateTime: meta.lastUpdateTime,
      entities: ['Account', 'Ip'],
      tags: meta.tags,
      support: { tier: meta.support.tier },
      author: { name: meta.author.name },
      version: meta.version,
    },
    parameters: playbookParameters(manifest),
    variables: playbookVariables(manifest),
    resources: playbookResources(manifest, rules, source),
    outputs: {
      playbookResourceId: { type: 'string', value: arm("resourceId('Microsoft.Logic/workflows', parameters('PlaybookName'))") },
      playbookPrincipalId: { type: 'string', value: arm("reference(resourceId('Microsoft.Logic/workflows', parameters('PlaybookName')), '2017-07-01', 'full').identity.principalId") },
    },
  };
}
