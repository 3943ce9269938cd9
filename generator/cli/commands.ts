/**
 * Every command and option the CLI knows, in one table: the parser, `--help` and the test that
 * checks the CI pipelines only call what exists all read it, so they cannot drift apart.
 */

export interface OptionSpec {
  name: string;
  short?: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  /** Shown after the option in help, e.g. FILE. */
  arg?: string;
  description: string;
  /** Shown when a required option is missing. */
  example?: string;
}

export type CommandName = 'init' | 'render' | 'validate' | 'plan' | 'push' | 'drift' | 'test' | 'replay' | 'preview' | 'posture' | 'drill' | 'query';

export interface CommandSpec {
  name: CommandName;
  summary: string;
  /** Longer explanation for `breakglass CMD --help`. */
  details: string;
  options: readonly string[];
  /** Options that must be given. */
  required?: readonly string[];
  /** The one argument that is not an option, e.g. FILE.kql. */
  positional?: string;
  examples: readonly string[];
}

export const OPTIONS: readonly OptionSpec[] = [
  { name: 'manifest', short: 'm', type: 'string', arg: 'FILE', description: 'the accounts manifest (YAML); see examples/accounts.yaml' },
  { name: 'out', short: 'o', type: 'string', arg: 'DIR', description: 'output folder (default: out)' },
  { name: 'format', type: 'string', arg: 'FORMAT', description: 'text (default) or json; render and validate also sarif (SARIF 2.1.0 for code scanning)' },
  { name: 'rules', type: 'string', multiple: true, arg: 'DIR', description: 'an extra folder of rule templates, added to the built-in catalog (repeatable)' },
  { name: 'allow-warnings', type: 'boolean', description: 'warnings (e.g. fewer than two accounts) do not fail the run' },
  { name: 'workspace', type: 'string', multiple: true, arg: 'NAME', description: 'only this workspace of the manifest (repeatable)' },
  { name: 'prune', type: 'boolean', description: 'also delete rules of ours that are no longer in the catalog or manifest (ours: our derived id and this manifest in the marker)' },
  { name: 'adopt', type: 'boolean', description: 'take over a watchlist of our alias that this manifest did not create (its settings and items are replaced)' },
  { name: 'yes', short: 'y', type: 'boolean', description: 'push without asking' },
  { name: 'detailed-exitcode', type: 'boolean', description: 'exit 2 when changes are pending (0: none, 1: failure)' },
  { name: 'arm-endpoint', type: 'string', arg: 'URL', description: 'Resource Manager endpoint (or BREAKGLASS_ARM_ENDPOINT); identity uses AZURE_AUTHORITY_HOST' },
  { name: 'concurrency', type: 'string', arg: 'N', description: 'workspaces worked on at once, 1 to 64 (default 8)' },
  { name: 'request-timeout', type: 'string', arg: 'SECONDS', description: 'give up on a request (Resource Manager, Microsoft Graph, or signing in) with no answer after this long (default 60)' },
  { name: 'retry-budget', type: 'string', arg: 'SECONDS', description: 'all waits before retries (429 Retry-After, 5xx backoff) of one workspace together, at most (default 120); a longer Retry-After fails at once' },
  { name: 'deployment-timeout', type: 'string', arg: 'SECONDS', description: 'how long push waits for the playbook and workbook deployment to finish (default 900)' },
  { name: 'events', type: 'string', multiple: true, arg: 'TABLE=FILE', description: 'records of one table, e.g. SigninLogs=signins.json (JSON rows, a Log Analytics API response, or CSV; repeatable)', example: '--events SigninLogs=signins.json' },
  { name: 'now', type: 'string', arg: 'DATETIME', description: "replay's and query's clock (ISO 8601); default: the newest TimeGenerated of the records" },
  { name: 'history', type: 'boolean', description: 'replay every scheduled run from the oldest record to the newest (or --now), listing each alert' },
  { name: 'account', type: 'string', multiple: true, arg: 'OBJECTID=UPN[=ROLE]', description: 'init: a break-glass account: its object id, user principal name and, unless it is a Global Administrator, its role (repeatable; two or more); drill: the user principal name of the account that was signed in to' },
  { name: 'group', type: 'string', arg: 'OBJECTID=NAME', description: 'the Conditional Access exclusion group: object id and display name' },
  { name: 'email', type: 'string', multiple: true, arg: 'ADDRESS', description: 'who is told by e-mail (repeatable)' },
  { name: 'sms', type: 'string', multiple: true, arg: '+CC-NUMBER', description: 'who is told by SMS: country code and number, e.g. +1-4255550100 (repeatable)' },
  { name: 'workspace-id', type: 'string', multiple: true, arg: 'RESOURCE-ID', description: 'a Sentinel workspace: /subscriptions/S/resourceGroups/G/providers/Microsoft.OperationalInsights/workspaces/W (repeatable)' },
  { name: 'tenant-id', type: 'string', arg: 'GUID', description: 'the Entra ID tenant (directory) id' },
  { name: 'force', type: 'boolean', description: 'init: overwrite the manifest if it exists; render, preview: overwrite files in --out that breakglass did not write' },
  { name: 'graph-endpoint', type: 'string', arg: 'URL', description: 'Microsoft Graph endpoint (or BREAKGLASS_GRAPH_ENDPOINT); default: the cloud of the workspaces' },
  { name: 'logs-endpoint', type: 'string', arg: 'URL', description: 'Log Analytics query endpoint (or BREAKGLASS_LOGS_ENDPOINT); default: the cloud of the workspace' },
  { name: 'since', type: 'string', arg: 'DURATION', description: 'how far back the drill looks for the test sign-in: 30m, 2h, 1d (default 24h)' },
  { name: 'help', short: 'h', type: 'boolean', description: 'this help' },
  { name: 'version', short: 'v', type: 'boolean', description: 'the package version' },
];

const BUILD = ['manifest', 'rules', 'allow-warnings'] as const;
const DEPLOY = [...BUILD, 'workspace', 'arm-endpoint', 'concurrency', 'request-timeout', 'retry-budget', 'deployment-timeout', 'format'] as const;

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'init',
    summary: 'write a commented accounts manifest, asking for what the flags do not give',
    details: `Writes a manifest (default accounts.yaml) with comments that explain every setting and a
yaml-language-server line, so editors complete and check it against the package's JSON Schema.
Values not given as flags are asked for when a person is at the terminal; without one, a missing
required value is an error. The manifest is validated before it is written, and an existing file
is never overwritten without --force.`,
    options: ['manifest', 'account', 'group', 'email', 'sms', 'workspace-id', 'tenant-id', 'force'],
    examples: [
      'breakglass init',
      'breakglass init --manifest accounts.yaml --account 34bbde15-5585-4333-a9d6-fd1b529ab024=bg-01@contoso.onmicrosoft.com --account 2e5438a8-b3ae-3dd1-b6b8-4bbcb29cae45=bg-02@contoso.onmicrosoft.com --group 8d0f2b6c-3e1a-4c7d-9b5e-6a2f1d8c4e73=CA-Exclusion-EmergencyAccess --email soc@contoso.com --workspace-id /subscriptions/1f2e3d4c-5b6a-4789-8c0d-e1f2a3b4c5d6/resourceGroups/rg-sentinel/providers/Microsoft.OperationalInsights/workspaces/law-sentinel',
    ],
  },
  {
    name: 'render',
    summary: 'render the content, validate it, and write it to --out only if validation passes',
    details: `Renders the analytics rules (ARM templates for Sentinel's Import, and Azure-Sentinel YAML), the
playbook, automation rule, workbook, watchlist, diagnostic settings, Azure Monitor alerts and the
SSPR exclusion rule. Every query is analysed by Kusto.Language against the workspace tables.
Output is byte-identical for the same manifest. What render wrote is recorded in
<out>/.breakglass-files.json: a later render replaces or removes only those files, and refuses
to overwrite a file it did not write unless --force is given. Files are written to temporary
names first and renamed into place, so a failed or interrupted render leaves --out as it was.`,
    options: [...BUILD, 'out', 'format', 'force'],
    required: ['manifest'],
    examples: ['breakglass render --manifest examples/accounts.yaml --out out', 'breakglass render --manifest accounts.yaml --format json'],
  },
  {
    name: 'validate',
    summary: 'render and validate in memory; write nothing',
    details: `Everything render checks, without writing files. --format sarif gives a SARIF 2.1.0 log for code
scanning, with each finding at its file, line and column.`,
    options: [...BUILD, 'format'],
    required: ['manifest'],
    examples: ['breakglass validate --manifest accounts.yaml', 'breakglass validate --manifest accounts.yaml --format sarif > breakglass.sarif'],
  },
  {
    name: 'plan',
    summary: 'read each workspace and show what push would create, update or delete; read-only',
    details: `Reads the workspaces with DefaultAzureCredential (workload identity federation in CI, the Azure CLI
locally, managed identity in Azure) and compares them with the rendered content. Only resources
tagged as ours are considered; nothing is written.`,
    options: [...DEPLOY, 'prune', 'adopt', 'detailed-exitcode'],
    required: ['manifest'],
    examples: ['breakglass plan --manifest accounts.yaml', 'breakglass plan --manifest accounts.yaml --workspace prod --detailed-exitcode'],
  },
  {
    name: 'push',
    summary: 'apply the plan: only what differs is written; a re-run after a failure converges',
    details: `Plans, shows the plan, asks (unless --yes), then writes only what differs. Ctrl-C starts no new
writes. A re-run after a failure picks up where the last one stopped.`,
    options: [...DEPLOY, 'prune', 'adopt', 'yes'],
    required: ['manifest'],
    examples: ['breakglass push --manifest accounts.yaml --yes', 'breakglass push --manifest accounts.yaml --workspace tenant-a --workspace tenant-b --prune --yes'],
  },
  {
    name: 'drift',
    summary: 'show what in the workspaces differs from the code (portal edits, removed rules)',
    details: 'Exits 1 when a workspace differs from what push would leave there.',
    options: [...DEPLOY],
    required: ['manifest'],
    examples: ['breakglass drift --manifest accounts.yaml'],
  },
  {
    name: 'test',
    summary: "run every rule's test cases on the offline KQL evaluator; exit 1 if a case fails",
    details: `Runs the tests: of every rule file (analytics-rules/*.yaml and --rules folders) with the manifest's
accounts, once with the accounts inline and once from the watchlist. No network.`,
    options: [...BUILD, 'format'],
    required: ['manifest'],
    examples: ['breakglass test --manifest accounts.yaml', 'breakglass test --manifest accounts.yaml --rules my-rules --format json'],
  },
  {
    name: 'replay',
    summary: 'run every enabled rule over exported log records and show what fires',
    details: `Evaluates each enabled rule over its own look-back window, as of the newest record (or --now), on
the offline KQL evaluator. With --history, time passes instead: each rule runs every queryFrequency
from the oldest record on, and every alert it would have raised is listed with its time and rows.
Records: a JSON array of rows, a Log Analytics API response, or CSV.`,
    options: [...BUILD, 'events', 'now', 'history', 'format'],
    required: ['manifest', 'events'],
    examples: [
      'breakglass replay --manifest accounts.yaml --events SigninLogs=signins.json --events AuditLogs=audit.csv --format json',
      'breakglass replay --manifest accounts.yaml --events SigninLogs=last-14-days.json --history',
    ],
  },
  {
    name: 'preview',
    summary: 'write an HTML page with the workbook and every rule, computed from the test rows',
    details: `Writes <out>/preview/index.html (default out/preview/index.html): the workbook's sections with
results computed by the offline evaluator over all rules' test rows, and every rule with its
query and the outcome of its test cases, so a reviewer sees what a change does before merging.
The page is self-contained (no scripts, no network).`,
    options: [...BUILD, 'out', 'force'],
    required: ['manifest'],
    examples: ['breakglass preview --manifest accounts.yaml --out out'],
  },
  {
    name: 'posture',
    summary: 'read the tenant (Microsoft Graph, read-only) and check the accounts are fit for an emergency',
    details: `Checks, for every account and the exclusion group: excluded from every Conditional Access policy
(directly, through a group or a role; report-only policies warn; Block policies listed first), the
group's members are exactly the accounts and it is role-assignable or in a restricted management
administrative unit, its owners; each account exists, is enabled, cloud-only, has the manifest's
UPN, holds its role permanently (not PIM-eligible, not expiring), has a FIDO2 passkey or
certificate and no phone, SMS, Authenticator or active Temporary Access Pass, and was signed in
to within validationIntervalDays; the tenant bars administrators from self-service password
reset, enables FIDO2 for the accounts and has 2 to 8 Global Administrators. A missing Graph
permission is named with the check that needed it; the other checks still run.
Exit 0 when all pass, 1 when a check fails or could not be made; with --detailed-exitcode,
2 when there are warnings only.`,
    options: ['manifest', 'rules', 'format', 'graph-endpoint', 'detailed-exitcode'],
    required: ['manifest'],
    examples: ['breakglass posture --manifest accounts.yaml', 'breakglass posture --manifest accounts.yaml --format sarif > posture.sarif'],
  },
  {
    name: 'drill',
    summary: 'after a test sign-in, collect the evidence from the workspace: sign-ins, alerts, incident, notification',
    details: `Reads the workspace through the Log Analytics query API (read-only) for the account's sign-ins since
--since, the alerts and incident our rules raised, the playbook run and its comment on the incident,
and writes <out>/drill/<date>-<account>.md and .json with the time from sign-in to notification,
to attach to the post-mortem. Exit 1 when a link of the chain is missing (no sign-in, alert,
incident or notification found).`,
    options: ['manifest', 'rules', 'account', 'since', 'workspace', 'logs-endpoint', 'out', 'format'],
    required: ['manifest', 'account'],
    examples: ['breakglass drill --manifest accounts.yaml --account bg-emergency-01@contoso.onmicrosoft.com', 'breakglass drill --manifest accounts.yaml --account bg-emergency-01@contoso.onmicrosoft.com --since 2h --format json'],
  },
  {
    name: 'query',
    summary: 'run one KQL query offline over exported records and print the result table',
    details: `Runs the query in FILE with the offline engine that test, replay and preview use, over the records
given per table (JSON rows, a Log Analytics API response, or CSV), as of --now. Tables not given
are empty. No manifest is needed. A construct the engine does not implement is named, never
guessed: the command then fails (exit 1), as it does for a query Kusto would refuse.`,
    options: ['events', 'now', 'format'],
    positional: 'FILE.kql',
    examples: ['breakglass query hunting.kql --events SigninLogs=signins.json --events AuditLogs=audit.csv', 'breakglass query rule.kql --events SigninLogs=signins.json --now 2026-11-25T10:00:00Z --format json'],
  },
];

export const COMMAND_NAMES = COMMANDS.map((c) => c.name);

export function commandSpec(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}

function optionLine(o: OptionSpec): string {
  const head = `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.arg ? ` ${o.arg}` : ''}`;
  return `  ${head.padEnd(32)} ${o.description}`;
}

function usageLine(c: CommandSpec): string {
  const parts = c.options.map((name) => {
    const o = OPTIONS.find((x) => x.name === name)!;
    const text = `--${name}${o.arg ? ` ${o.arg}` : ''}${o.multiple ? ' ...' : ''}`;
    return c.required?.includes(name) ? text : `[${text}]`;
  });
  return `breakglass ${c.name} ${c.positional ? `${c.positional} ` : ''}${parts.join(' ')}`;
}

export const EXIT_CODES = `Exit codes: 0 ok; 1 validation failed (or warnings without --allow-warnings), a test case failed,
a workspace could not be read, a change failed or drift was found; 2 usage error, or with
plan --detailed-exitcode: changes pending.`;

export function generalHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `breakglass: Microsoft Sentinel content for Entra ID break-glass accounts, from one manifest

Usage: breakglass COMMAND [options]      breakglass COMMAND --help      breakglass --version

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Examples:
  breakglass init
  breakglass render --manifest examples/accounts.yaml --out out
  breakglass validate --manifest accounts.yaml --format sarif > breakglass.sarif
  breakglass plan --manifest accounts.yaml --workspace prod --detailed-exitcode
  breakglass push --manifest accounts.yaml --prune --yes
  breakglass test --manifest accounts.yaml
  breakglass preview --manifest accounts.yaml
  breakglass posture --manifest accounts.yaml
  breakglass drill --manifest accounts.yaml --account bg-01@contoso.onmicrosoft.com --since 2h
  breakglass query rule.kql --events SigninLogs=signins.json

Credentials: DefaultAzureCredential (workload identity federation in CI, the Azure CLI locally,
managed identity in Azure). Nothing secret goes in the manifest or the output.

${EXIT_CODES}
`;
}

export function commandHelp(c: CommandSpec): string {
  const options = [...c.options, 'help'].map((name) => optionLine(OPTIONS.find((o) => o.name === name)!));
  return `breakglass ${c.name}: ${c.summary}

Usage:
  ${usageLine(c)}

${c.details}

Options:
${options.join('\n')}

Examples:
${c.examples.map((e) => `  ${e}`).join('\n')}

${EXIT_CODES}
`;
}
