import { Ajv, type ValidateFunction } from 'ajv';
import schema from '../../schemas/reminder-template.schema.json' with { type: 'json' };
import { arm, type ArmValue } from '../arm/arm-json.js';
import { CLOUDS } from '../deploy/cloud.js';
import { hasErrors, type Finding } from '../findings.js';
import { logicAppText } from '../logic-app/literal-text.js';
import { DEFAULT_VALIDATION_INTERVAL_DAYS, type Cloud, type Manifest } from '../manifest/types.js';
import { queryContext } from '../render/query-context.js';
import { checkQueryTemplate, renderQueryTemplate, unknownValues, type QueryContext, type RenderedQuery, type TemplateProblem } from '../render/query-template.js';
import { schemaErrorToFinding } from '../schema-errors.js';
import { locate, parseYaml } from '../yaml-source.js';
import { apiConnection, connectionsUsed, playbookName, workflowResource, type Connection } from './playbook-template.js';
import type { PlaybookSource } from './playbook-definition.js';

/**
 * The validation reminder playbook: a Logic App on a daily recurrence, with a system-assigned
 * managed identity, that reads the accounts' last interactive successful sign-in through the Log
 * Analytics query API, mails and posts to Teams when a test is due, and creates a Sentinel
 * incident (Incidents - Create Or Update, 2024-09-01) when one is overdue.
 */
export interface ReminderTemplate {
  title: string;
  description: string;
  version: string;
  lastUpdateTime: string;
  schedule: { hourUtc: number };
  dueWithinDays: number;
  lookBackMarginDays: number;
  incidentSeverity: 'Informational' | 'Low' | 'Medium' | 'High';
  postDeployment: string[];
  query: string;
}

export interface ReminderContext extends QueryContext {
  validationIntervalDays: number;
  dueWithinDays: number;
  lookBackDays: number;
}

/** Sentinel's incidents API (azure-rest-api-specs, SecurityInsights stable 2024-09-01, Incidents.json). */
export const INCIDENTS_API_VERSION = '2024-09-01';
/** The query result's one column: the accounts as a JSON array (the API returns dynamic as text). */
export const REMINDER_RESULT_COLUMN = 'Accounts';
export const REMINDER_ACTIONS = {
  query: 'Query_last_sign_ins',
  accounts: 'Accounts',
  dueSoon: 'Due_soon',
  overdue: 'Overdue',
  dueLines: 'Due_soon_lines',
  ifDue: 'If_tests_due',
  email: 'Send_reminder_email',
  teams: 'Post_reminder_to_Teams',
  forEachOverdue: 'For_each_overdue_account',
  getIncident: 'Get_overdue_incident',
  ifNoIncident: 'If_no_incident_yet',
  createIncident: 'Create_overdue_incident',
} as const;

export interface ParsedReminder {
  template?: ReminderTemplate;
  file: string;
  queryLine: number;
  findings: Finding[];
}

let validator: ValidateFunction | undefined;

export function parseReminder(source: PlaybookSource['reminder']): ParsedReminder {
  const { source: yaml, value, findings } = parseYaml(source.text, source.file, 'reminder');
  const queryLine = locate(yaml, ['query']).line + 1;
  if (hasErrors(findings)) return { file: source.file, queryLine, findings };
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true }).compile(schema);
  if (!validator(value)) {
    for (const error of validator.errors ?? []) {
      const finding = schemaErrorToFinding(error, yaml, 'reminder');
      if (finding) findings.push(finding);
    }
    return { file: source.file, queryLine, findings };
  }
  const template = value as ReminderTemplate;
  for (const problem of checkQueryTemplate(template.query)) findings.push(templateFinding(source.file, queryLine, problem, 'reminder/template'));
  return { ...(hasErrors(findings) ? {} : { template }), file: source.file, queryLine, findings };
}

export function templateFinding(file: string, queryLine: number, problem: TemplateProblem, code: string): Finding {
  return { severity: 'error', code, message: `validation reminder query: ${problem.message}`, path: 'query', location: { file, line: queryLine + problem.line - 1, column: problem.column + 1 } };
}

export function reminderContext(manifest: Manifest, template: ReminderTemplate): ReminderContext {
  const interval = manifest.validationIntervalDays ?? DEFAULT_VALIDATION_INTERVAL_DAYS;
  return { ...queryContext(manifest), validationIntervalDays: interval, dueWithinDays: template.dueWithinDays, lookBackDays: interval + template.lookBackMarginDays };
}

/** The reminder's KQL for this manifest; unknown values are reported by checkReminder before this runs. */
export function reminderQuery(manifest: Manifest, template: ReminderTemplate): RenderedQuery {
  return renderQueryTemplate(template.query, {}, reminderContext(manifest, template));
}

export function reminderUnknownValues(manifest: Manifest, template: ReminderTemplate): TemplateProblem[] {
  return unknownValues(template.query, reminderContext(manifest, template));
}

/** One ARM expression that picks the Log Analytics endpoint of the cloud the template is deployed to. */
function logAnalyticsEndpointExpression(): ArmValue {
  const clouds = Object.entries(CLOUDS) as [Cloud, (typeof CLOUDS)[Cloud]][];
  const [fallback, ...others] = [clouds.find(([name]) => name === 'AzureCloud')!, ...clouds.filter(([name]) => name !== 'AzureCloud')];
  const expression = others.reduce((inner, [name, endpoints]) => `if(equals(environment().name, '${name}'), '${endpoints.logAnalytics}', ${inner})`, `'${fallback[1].logAnalytics}'`);
  return arm(expression);
}

function escapeText(text: string): string {
  return logicAppText(text);
}

/** The Logic App workflow definition. Pure. */
export function reminderWorkflowDefinition(manifest: Manifest, template: ReminderTemplate): ArmValue {
  const A = REMINDER_ACTIONS;
  const context = reminderContext(manifest, template);
  const n = manifest.notifications;
  const interval = context.validationIntervalDays;
  const incidentUri = `@{parameters('ResourceManagerEndpoint')}@{substring(parameters('WorkspaceResourceId'), 1)}/providers/Microsoft.SecurityInsights/incidents/@{items('${A.forEachOverdue}')?['IncidentId']}?api-version=${INCIDENTS_API_VERSION}`;
  const msiArm = { type: 'ManagedServiceIdentity', audience: "@parameters('ResourceManagerEndpoint')" };
  const dueList = `@{join(body('${A.dueLines}'), '<br>')}`;
  const recipients = escapeText(n.email.map((r) => r.address).join(';'));
  const ifDueActions: Record<string, ArmValue> = {
    [A.email]: {
      ...(apiConnection('office365', 'post', '/v2/Mail', {
        To: recipients,
        Subject: `Break-glass accounts: a test sign-in is due within ${template.dueWithinDays} days`,
        Body: `<p>The break-glass (emergency access) accounts below must be signed in to as a test before their due date (every ${interval} days), then the drill evidence recorded with <code>breakglass drill</code>.</p><p>${dueList}</p><p>Sent by the ${escapeText(template.title)} playbook.</p>`,
        Importance: 'Normal',
      }) as object),
      runAfter: {},
    },
  };
  if (n.teams) {
    ifDueActions[A.teams] = {
      ...(apiConnection('teams', 'post', "/beta/teams/conversation/message/poster/@{encodeURIComponent('Flow bot')}/location/@{encodeURIComponent('Channel')}", {
        recipient: { groupId: n.teams.teamId, channelId: escapeText(n.teams.channelId) },
        messageBody: `<p><b>Break-glass accounts: test sign-in due</b></p><p>${dueList}</p>`,
      }) as object),
      runAfter: {},
    };
  }
  return {
    $schema: 'https://schema.management.azure.com/providers/Microsoft.Logic/schemas/2016-06-01/workflowdefinition.json#',
    contentVersion: '1.0.0.0',
    parameters: {
      $connections: { defaultValue: {}, type: 'Object' },
      LogAnalyticsEndpoint: { defaultValue: CLOUDS.AzureCloud.logAnalytics, type: 'String' },
      ResourceManagerEndpoint: { defaultValue: `${CLOUDS.AzureCloud.resourceManager}/`, type: 'String' },
      WorkspaceResourceId: { defaultValue: '', type: 'String' },
    },
    triggers: {
      Daily: { type: 'Recurrence', recurrence: { frequency: 'Day', interval: 1, schedule: { hours: [template.schedule.hourUtc], minutes: [0] }, timeZone: 'UTC' } },
    },
    actions: {
      [A.query]: {
        type: 'Http',
        inputs: {
          method: 'POST',
          uri: "@{parameters('LogAnalyticsEndpoint')}/v1@{parameters('WorkspaceResourceId')}/query",
          headers: { 'Content-Type': 'application/json' },
          body: { query: escapeText(reminderQuery(manifest, template).text), timespan: `P${context.lookBackDays}D` },
          authentication: { type: 'ManagedServiceIdentity', audience: "@parameters('LogAnalyticsEndpoint')" },
        },
        runAfter: {},
      },
      [A.accounts]: { type: 'Compose', inputs: `@json(string(body('${A.query}')?['tables'][0]['rows'][0][0]))`, runAfter: { [A.query]: ['Succeeded'] } },
      [A.dueSoon]: { type: 'Query', inputs: { from: `@outputs('${A.accounts}')`, where: "@equals(item()?['Status'], 'DueSoon')" }, runAfter: { [A.accounts]: ['Succeeded'] } },
      [A.overdue]: { type: 'Query', inputs: { from: `@outputs('${A.accounts}')`, where: "@equals(item()?['Status'], 'Overdue')" }, runAfter: { [A.accounts]: ['Succeeded'] } },
      [A.dueLines]: {
        type: 'Select',
        inputs: { from: `@body('${A.dueSoon}')`, select: "@concat(item()?['AccountUPN'], ': test due by ', formatDateTime(item()?['DueDate'], 'yyyy-MM-dd'), ' (last interactive sign-in ', coalesce(item()?['LastSignIn'], 'none'), ')')" },
        runAfter: { [A.dueSoon]: ['Succeeded'] },
      },
      [A.ifDue]: { type: 'If', expression: { and: [{ greater: [`@length(body('${A.dueSoon}'))`, 0] }] }, actions: ifDueActions, else: { actions: {} }, runAfter: { [A.dueLines]: ['Succeeded'] } },
      [A.forEachOverdue]: {
        type: 'Foreach',
        foreach: `@body('${A.overdue}')`,
        actions: {
          [A.getIncident]: { type: 'Http', inputs: { method: 'GET', uri: incidentUri, authentication: msiArm }, runAfter: {} },
          // Created unless the GET found it (200). Not only on 404: a GET refused for want of a role
          // (403) must not end the run quietly with no incident; the PUT then fails the run visibly.
          [A.ifNoIncident]: {
            type: 'If',
            expression: { and: [{ not: { equals: [`@outputs('${A.getIncident}')?['statusCode']`, 200] } }] },
            actions: {
              [A.createIncident]: {
                type: 'Http',
                inputs: {
                  method: 'PUT',
                  uri: incidentUri,
                  headers: { 'Content-Type': 'application/json' },
                  body: {
                    properties: {
                      title: `Break-glass account @{items('${A.forEachOverdue}')?['AccountUPN']}: validation overdue`,
                      description: `The break-glass account @{items('${A.forEachOverdue}')?['AccountUPN']} has had no interactive successful sign-in for ${interval} days (last: @{coalesce(items('${A.forEachOverdue}')?['LastSignIn'], 'none in the SigninLogs of the last ${context.lookBackDays} days; if it was tested earlier than the workspace keeps SigninLogs, raise their retention to at least ${interval} days')}). Test it now and record the evidence with breakglass drill.`,
                      severity: template.incidentSeverity,
                      status: 'New',
                      labels: [{ labelName: 'breakglass-validation-overdue' }],
                    },
                  },
                  authentication: msiArm,
                },
                runAfter: {},
              },
            },
            else: { actions: {} },
            runAfter: { [A.getIncident]: ['Succeeded', 'Failed'] },
          },
        },
        runAfter: { [A.overdue]: ['Succeeded'] },
      },
    },
    outputs: {},
  };
}

function reminderConnections(manifest: Manifest): Connection[] {
  return connectionsUsed(manifest).filter((api) => api !== 'azuresentinel');
}

/**
 * The reminder as resources of a template that also holds the notification playbook (whose
 * parameters, variables and API connections it uses): azuredeploy.json and push's deployment.
 */
/** The reminder's Logic App: the notification playbook's name and a suffix (its ARM name says the same). */
export const REMINDER_NAME_SUFFIX = '-ValidationReminder';
export function reminderWorkflowName(manifest: Manifest): string {
  return `${playbookName(manifest)}${REMINDER_NAME_SUFFIX}`;
}

export function validationReminderResources(manifest: Manifest, source: PlaybookSource): ArmValue[] {
  const parsed = parseReminder(source.reminder);
  if (!parsed.template) throw new Error(`${source.reminder.file} is not valid: ${parsed.findings.map((f) => f.message).join('; ')}`);
  return [
    workflowResource({
      name: arm(`concat(parameters('PlaybookName'), '${REMINDER_NAME_SUFFIX}')`),
      templateName: 'breakglass-validation-reminder',
      version: parsed.template.version,
      connections: reminderConnections(manifest),
      definition: reminderWorkflowDefinition(manifest, parsed.template),
      parameters: {
        LogAnalyticsEndpoint: { value: logAnalyticsEndpointExpression() },
        ResourceManagerEndpoint: { value: arm('environment().resourceManager') },
        WorkspaceResourceId: { value: arm("resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspace'))") },
      },
    }),
  ];
}
