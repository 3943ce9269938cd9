import { arm, DEPLOYMENT_TEMPLATE_SCHEMA, type ArmValue } from '../arm/arm-json.js';
import type { Manifest } from '../manifest/types.js';
import { playbookName } from '../playbook/playbook-template.js';
import { reminderWorkflowName, REMINDER_NAME_SUFFIX } from '../playbook/reminder-template.js';
import { AUTOMATION_TRIGGERS, automationRuleGuid } from './automation-rule.js';
import { DEFAULT_ACTION_GROUP_NAME, SCHEDULED_QUERY_RULES_API_VERSION } from './azure-monitor-alerts.js';
import { workspaceResourceId } from './diagnostic-settings.js';
import { kqlLiteral } from './kql-literal.js';
import { queryContext } from './query-context.js';
import type { RenderedRule } from './sentinel-rule.js';

/**
 * How long a table may stay silent before someone is told. Entra ID delivers 95% of its sign-in and
 * audit records within 2 minutes and 99% within 5 (Microsoft's reporting latencies,
 * MicrosoftDocs/azure-docs reference-reports-latencies.md), Log Analytics adds a few more; silence far beyond that means the feed is broken: the tenant's diagnostic setting removed
 * or redirected (the first move of someone who wants to use a break-glass account unseen), or an
 * outage. Sign-ins: any tenant with users and devices signs in or refreshes tokens every few minutes,
 * day and night (mail and chat clients keep refreshing), so two silent hours are no quiet night.
 * Audit records are sparser (a small tenant can spend hours without a directory change), but
 * Microsoft's own services keep writing them; a whole day without one is a broken feed.
 */
export const SILENCE_LIMITS = { signInMinutes: 120, auditMinutes: 1440 } as const;

/**
 * The notification playbook is started within seconds of an incident (automation rule, then the
 * Logic App); 15 minutes without a recorded run of the automation rule for an incident of our rules
 * is a run that did not happen.
 */
export const PLAYBOOK_GRACE_MINUTES = 15;

export const WATCHERS_DIAGNOSTIC_SETTING = 'breakglass-watchers';
const DIAGNOSTIC_SETTINGS_API_VERSION = '2021-05-01-preview';

export interface WatcherAlert {
  /** Resource name suffix: breakglass-watch-<id>. */
  id: string;
  displayName: string;
  description: string;
  /** The KQL, with the push identities as a KQL literal (for validation and tests: any list). */
  query: (pushCallers: string) => string;
  severity: 0 | 1 | 2;
  evaluationFrequency: string;
  windowSize: string;
  /** Stateful: one notification when it starts, none again until it resolved (for a lasting condition). */
  autoMitigate: boolean;
  /** Fires when the query returns fewer rows than 1 (silence) instead of more than 0. */
  firesOnNoRows?: boolean;
  /** The tables the query reads: the workspace must receive them (README lists how). */
  tables: string[];
}

/**
 * The automation rules that run the notification playbook (a list: one per trigger where there are
 * several, and every query below reads it with `in`). Lower case, as the queries compare them.
 */
export function notificationAutomationRuleIds(manifest: Manifest): string[] {
  return AUTOMATION_TRIGGERS.map((trigger) => automationRuleGuid(manifest, trigger).toLowerCase());
}

/** An automation rule's id, from a resource id of it (SentinelResourceId, _ResourceId), in lower case. */
const AUTOMATION_ID_OF = (column: string) => `extract(@"/automationrules/([0-9a-f-]+)$", 1, tolower(${column}))`;

/** The resource-id fragments of what push manages: our rules, the automation rules and the watchlist. */
function managedContent(manifest: Manifest, rules: readonly RenderedRule[]): string {
  return [
    `let RuleIds = ${kqlLiteral(rules.map((r) => r.guid))};`,
    `let AutomationRuleIds = ${kqlLiteral(notificationAutomationRuleIds(manifest))};`,
    `let WatchlistAlias = ${kqlLiteral(queryContext(manifest).watchlist.alias.toLowerCase())};`,
  ].join('\n');
}

/** The watch-the-watchers alerts for a manifest and its rules. Pure. */
export function watcherAlerts(manifest: Manifest, rules: readonly RenderedRule[]): WatcherAlert[] {
  const content = managedContent(manifest, rules);
  // Both Logic Apps of ours: the notification playbook and the validation reminder.
  const playbooks = kqlLiteral([playbookName(manifest).toLowerCase(), reminderWorkflowName(manifest).toLowerCase()]);
  return [
    {
      id: 'content-changed',
      displayName: 'Break-glass monitoring changed outside push (rule, automation rule, watchlist or playbook)',
      description:
        'One of the break-glass analytics rules, the automation rule that runs the notification playbook, the accounts watchlist, or one of the Logic Apps (the notification playbook, the validation reminder) was written (edited, disabled) or deleted by anyone but the identity that runs push (the pushCallers parameter), according to the Azure Activity log. Disabling or editing these is how someone blinds the alerts before using a break-glass account: a playbook edited to send its notifications elsewhere still runs without failing. Run `breakglass drift` to see what changed and `breakglass push` to restore it; ask the caller why.',
      query: (pushCallers) =>
        [
          content,
          `let PushCallers = ${pushCallers};`,
          `let Playbooks = ${playbooks};`,
          'AzureActivity',
          '| where ingestion_time() > ago(5m)',
          '| where ActivityStatusValue in~ ("Success", "Succeeded")',
          '// Sentinel content written or deleted; a Logic App written, deleted or switched off (Microsoft.Logic/workflows/disable/action).',
          '| where (OperationNameValue has "Microsoft.SecurityInsights" or OperationNameValue has "Microsoft.Logic/workflows")',
          '    and (OperationNameValue endswith "/write" or OperationNameValue endswith "/delete" or OperationNameValue endswith "/disable/action")',
          '| extend Resource = tolower(_ResourceId)',
          '| extend RuleId = extract(@"/alertrules/([0-9a-f-]+)$", 1, Resource), AutomationId = extract(@"/automationrules/([0-9a-f-]+)$", 1, Resource),',
          '    Watchlist = extract(@"/watchlists/([^/]+)", 1, Resource), Workflow = extract(@"/providers/microsoft\\.logic/workflows/([^/]+)$", 1, Resource)',
          '| where RuleId in (RuleIds) or AutomationId in (AutomationRuleIds) or Watchlist == WatchlistAlias or Workflow in (Playbooks)',
          '| where not(Caller in~ (PushCallers))',
          '| extend What = case(isnotempty(RuleId), "analytics rule", isnotempty(AutomationId), "automation rule", isnotempty(Workflow), "playbook", "watchlist")',
          '| project TimeGenerated, What, Operation = OperationNameValue, ResourceId = _ResourceId, Caller, CallerIpAddress, CorrelationId',
        ].join('\n'),
      severity: 0,
      evaluationFrequency: 'PT5M',
      windowSize: 'PT1H',
      autoMitigate: false,
      tables: ['AzureActivity'],
    },
    {
      id: 'notifications-failing',
      displayName: 'Break-glass notifications failing (automation rule or playbook)',
      description:
        'The automation rule that runs the notification playbook for incidents of the break-glass rules did not run cleanly (Sentinel health: Partial success or Failure), or one of the Logic Apps failed a run: the notification playbook (people may not have been told of a use of a break-glass account) or the validation reminder (nobody is told when a test is due or overdue). Open the incident list of the break-glass rules, tell the on-call by hand, and look at the failed run in the Logic App (authorization of its connections, its managed identity\'s roles, the Communication Services resource, the recipients).',
      query: () =>
        [
          `let AutomationRuleIds = ${kqlLiteral(notificationAutomationRuleIds(manifest))};`,
          `let Playbooks = ${playbooks};`,
          'let RuleRuns = SentinelHealth',
          '    | where ingestion_time() > ago(15m)',
          `    | where OperationName == "Automation rule run" and ${AUTOMATION_ID_OF('SentinelResourceId')} in (AutomationRuleIds) and Status != "Success"`,
          '    | project TimeGenerated, What = "automation rule", Status, Detail = Description, Incident = tostring(ExtendedProperties.IncidentNumber);',
          'let PlaybookRuns = AzureDiagnostics',
          '    | where ingestion_time() > ago(15m)',
          '    | where ResourceProvider == "MICROSOFT.LOGIC" and Category == "WorkflowRuntime" and OperationName == "Microsoft.Logic/workflows/workflowRunCompleted"',
          '    | where tolower(resource_workflowName_s) in (Playbooks) and status_s == "Failed"',
          '    | project TimeGenerated, What = "playbook", Status = status_s, Detail = strcat(error_code_s, " ", error_message_s), Incident = resource_runId_s;',
          'union RuleRuns, PlaybookRuns',
        ].join('\n'),
      severity: 1,
      evaluationFrequency: 'PT15M',
      windowSize: 'PT1H',
      autoMitigate: false,
      tables: ['SentinelHealth', 'AzureDiagnostics'],
    },
    {
      id: 'notifications-missing',
      displayName: 'Break-glass incident without a notification run',
      description: `An incident of the break-glass rules was created more than ${PLAYBOOK_GRACE_MINUTES} minutes ago and Sentinel's health log records no run of the notification automation rule for it: the automation rule is missing, disabled, or never started, and nobody was told. Each incident is judged once. Needs Sentinel's health monitoring switched on (Settings > Auditing and health monitoring); the alert stays quiet while the health log is empty. Tell the on-call by hand and restore the automation rule (breakglass push).`,
      query: () =>
        [
          `let RuleIds = ${kqlLiteral(rules.map((r) => r.guid))};`,
          `let AutomationRuleIds = ${kqlLiteral(notificationAutomationRuleIds(manifest))};`,
          `let Grace = ${PLAYBOOK_GRACE_MINUTES}m;`,
          '// Quiet while the health log is off: an empty table is not proof of a missing run.',
          'let HealthOn = toscalar(SentinelHealth | where TimeGenerated > ago(1d) | count) > 0;',
          'let Notified = SentinelHealth',
          `    | where OperationName == "Automation rule run" and ${AUTOMATION_ID_OF('SentinelResourceId')} in (AutomationRuleIds)`,
          '    | summarize by IncidentNumber = toint(ExtendedProperties.IncidentNumber);',
          'SecurityIncident',
          '| summarize arg_min(TimeGenerated, CreatedTime, Title, RelatedAnalyticRuleIds) by IncidentNumber',
          '| mv-apply RuleId = RelatedAnalyticRuleIds to typeof(string) on (summarize Ours = countif(tolower(extract(@"([0-9a-fA-F-]{36})$", 1, RuleId)) in (RuleIds)))',
          '| where Ours > 0',
          '// Judged once: created in the one period that has just passed its grace.',
          '| where CreatedTime > ago(Grace + 15m) and CreatedTime <= ago(Grace)',
          '| where HealthOn',
          '| join kind=leftanti Notified on $left.IncidentNumber == $right.IncidentNumber',
          '| project CreatedTime, IncidentNumber, Title',
        ].join('\n'),
      severity: 1,
      evaluationFrequency: 'PT15M',
      windowSize: 'P1D',
      autoMitigate: false,
      tables: ['SecurityIncident', 'SentinelHealth'],
    },
    {
      id: 'rule-runs-failing',
      displayName: 'Break-glass analytics rules failing to run',
      description:
        "A run of one of the break-glass analytics rules failed (Sentinel health: Scheduled or NRT analytics rule run, Failure): while it fails, it sees nothing. Read the Description (a query error, a table that no longer exists, throttling) and fix the rule or the workspace; `breakglass drift` shows whether the rule was changed. Needs Sentinel's health monitoring switched on.",
      query: () =>
        [
          `let RuleIds = ${kqlLiteral(rules.map((r) => r.guid))};`,
          'SentinelHealth',
          '| where ingestion_time() > ago(15m)',
          '| where OperationName in ("Scheduled analytics rule run", "NRT analytics rule run") and Status == "Failure"',
          '| extend RuleId = tolower(coalesce(tostring(ExtendedProperties.RuleId), extract(@"/alertrules/([0-9a-fA-F-]+)$", 1, SentinelResourceId)))',
          '| where RuleId in (RuleIds)',
          '| summarize Failures = count(), LastFailure = max(TimeGenerated), Reasons = make_set(Description, 5) by Rule = SentinelResourceName',
        ].join('\n'),
      severity: 1,
      evaluationFrequency: 'PT15M',
      windowSize: 'PT1H',
      autoMitigate: false,
      tables: ['SentinelHealth'],
    },
    {
      id: 'signin-logs-silent',
      displayName: `Entra ID sign-in logs silent for ${SILENCE_LIMITS.signInMinutes / 60} hours`,
      description: `No sign-in record (interactive or non-interactive) has reached the workspace for ${SILENCE_LIMITS.signInMinutes / 60} hours: the break-glass sign-in rules see nothing. Check the tenant's Entra ID diagnostic setting (out/arm/diagnostic-settings.json: SignInLogs, NonInteractiveUserSignInLogs) and the workspace's ingestion; a removed diagnostic setting is how a use of an account goes unseen. Fires once when the silence starts and resolves when records arrive.`,
      query: () =>
        [
          `union (SigninLogs | where ingestion_time() > ago(${SILENCE_LIMITS.signInMinutes}m)),`,
          `    (AADNonInteractiveUserSignInLogs | where ingestion_time() > ago(${SILENCE_LIMITS.signInMinutes}m))`,
          '| summarize Records = count()',
          '| where Records > 0',
        ].join('\n'),
      severity: 1,
      evaluationFrequency: 'PT15M',
      windowSize: `PT${SILENCE_LIMITS.signInMinutes / 60}H`,
      autoMitigate: true,
      firesOnNoRows: true,
      tables: ['SigninLogs', 'AADNonInteractiveUserSignInLogs'],
    },
    {
      id: 'audit-logs-silent',
      displayName: `Entra ID audit logs silent for ${SILENCE_LIMITS.auditMinutes / 60} hours`,
      description: `No directory audit record has reached the workspace for ${SILENCE_LIMITS.auditMinutes / 60} hours: the break-glass change rules see nothing. Check the tenant's Entra ID diagnostic setting (out/arm/diagnostic-settings.json: AuditLogs) and the workspace's ingestion. Fires once when the silence starts and resolves when records arrive.`,
      query: () => ['AuditLogs', `| where ingestion_time() > ago(${SILENCE_LIMITS.auditMinutes}m)`, '| summarize Records = count()', '| where Records > 0'].join('\n'),
      severity: 1,
      evaluationFrequency: 'PT1H',
      windowSize: 'P1D',
      autoMitigate: true,
      firesOnNoRows: true,
      tables: ['AuditLogs'],
    },
  ];
}

/** Where the push identities go in a query: a stand-in no query text contains. */
const PUSH_CALLERS = '\u0000pushCallers\u0000';

/**
 * out/azure-monitor/watchers.json: the watcher alerts as Azure Monitor log alerts, independent of
 * Sentinel, notifying the action group of azure-monitor/alerts.json (referenced by name, not
 * created again), and the diagnostic setting that sends the playbook's runs to the workspace.
 */
export function watchersTemplate(manifest: Manifest, rules: readonly RenderedRule[]): ArmValue {
  const alerts = watcherAlerts(manifest, rules);
  const actionGroup = arm("resourceId('Microsoft.Insights/actionGroups', parameters('actionGroupName'))");
  // Both Logic Apps send their runs to the workspace, where the failure alert reads them.
  const playbookDiagnostics: ArmValue[] = ['', REMINDER_NAME_SUFFIX].map((suffix) => ({
    type: 'Microsoft.Logic/workflows/providers/diagnosticSettings',
    apiVersion: DIAGNOSTIC_SETTINGS_API_VERSION,
    name: arm(`concat(parameters('playbookName'), '${suffix}/Microsoft.Insights/${WATCHERS_DIAGNOSTIC_SETTING}')`),
    properties: { workspaceId: arm("parameters('workspaceResourceId')"), logs: [{ category: 'WorkflowRuntime', enabled: true }] },
  }));
  // The push identities come from a parameter, written as a JSON array inside dynamic(): one KQL
  // literal. The query text around it sits in variables (plain JSON strings keep their newlines).
  const variables: Record<string, string> = {};
  const queryOf = (alert: WatcherAlert): ArmValue => {
    const parts = alert.query(PUSH_CALLERS).split(PUSH_CALLERS);
    if (parts.length === 1) return alert.query(kqlLiteral([]));
    parts.forEach((text, i) => (variables[`${alert.id}-query-${i}`] = text));
    return arm(`concat(${parts.map((_, i) => `variables('${alert.id}-query-${i}')`).join(", 'dynamic(', string(parameters('pushCallers')), ')', ")})`);
  };
  const resources: ArmValue[] = alerts.map((alert) => ({
    type: 'Microsoft.Insights/scheduledQueryRules',
    apiVersion: SCHEDULED_QUERY_RULES_API_VERSION,
    name: `breakglass-watch-${alert.id}`,
    location: arm("parameters('location')"),
    tags: { 'managed-by': 'breakglass-sentinel' },
    properties: {
      displayName: alert.displayName,
      description: alert.description,
      severity: alert.severity,
      enabled: true,
      evaluationFrequency: alert.evaluationFrequency,
      windowSize: alert.windowSize,
      scopes: [arm("parameters('workspaceResourceId')")],
      criteria: {
        allOf: [
          {
            query: queryOf(alert),
            timeAggregation: 'Count',
            operator: alert.firesOnNoRows ? 'LessThan' : 'GreaterThan',
            threshold: alert.firesOnNoRows ? 1 : 0,
            failingPeriods: { numberOfEvaluationPeriods: 1, minFailingPeriodsToAlert: 1 },
          },
        ],
      },
      autoMitigate: alert.autoMitigate,
      actions: { actionGroups: [actionGroup] },
    },
  }));
  return {
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: {
      description:
        'Alerts that watch the break-glass monitoring itself. Deploy after azure-monitor/alerts.json (whose action group they notify) and after the playbook. Needs, in the workspace: the Azure Activity log of the subscription (AzureActivity), Sentinel health monitoring (SentinelHealth), and the Entra ID diagnostic setting (SigninLogs, AADNonInteractiveUserSignInLogs, AuditLogs); this template adds the diagnostic settings of the playbook and the validation reminder (AzureDiagnostics).',
    },
    parameters: {
      workspaceResourceId: { type: 'string', defaultValue: workspaceResourceId(manifest.workspaces[0]!), metadata: { description: 'Log Analytics workspace of Sentinel, with the logs the alerts read.' } },
      actionGroupName: { type: 'string', defaultValue: DEFAULT_ACTION_GROUP_NAME, metadata: { description: 'The action group of azure-monitor/alerts.json, in this resource group.' } },
      playbookName: { type: 'string', defaultValue: playbookName(manifest), metadata: { description: `The notification playbook (Logic App); it and the validation reminder (this name + ${REMINDER_NAME_SUFFIX}) send their runs to the workspace.` } },
      pushCallers: {
        type: 'array',
        defaultValue: [],
        metadata: { description: "The identities that run breakglass push, as the Azure Activity log's Caller column names them (a user's UPN; for a service principal copy the Caller of one of push's own writes). Their writes are not alerted; with the list empty, every write is." },
      },
      location: { type: 'string', defaultValue: arm('resourceGroup().location'), metadata: { description: 'Region of the alert rules (the workspace region).' } },
    },
    variables,
    resources: [...playbookDiagnostics, ...resources],
  };
}
