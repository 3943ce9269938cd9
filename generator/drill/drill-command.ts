import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { LogsQueryClient, LogsQueryResultStatus } from '@azure/monitor-query-logs';
import type { Catalog } from '../catalog/rule-template.js';
import { displayPath } from '../cli/display-path.js';
import { endpointsFor } from '../deploy/cloud.js';
import { azureCredential } from '../deploy/credentials.js';
import { workspaceLabel } from '../deploy/desired-state.js';
import type { Manifest, Workspace } from '../manifest/types.js';
import { playbookName } from '../playbook/playbook-template.js';
import { AUTOMATION_TRIGGERS, automationRuleDisplayName } from '../render/automation-rule.js';
import { renderRules } from '../render/render-rules.js';
import { TenantUsageError, type TenantCommandIo } from '../posture/posture-command.js';
import { drillEvidence, drillMarkdown, type DrillRows, type LogRow } from './drill-evidence.js';
import { drillQueries } from './drill-queries.js';

export interface DrillArgs {
  account: string;
  since: string;
  workspaces: string[];
  out: string;
  format: 'text' | 'json';
  logsEndpoint?: string;
}

function pickWorkspace(manifest: Manifest, names: readonly string[]): Workspace {
  const chosen = names.length === 0 ? manifest.workspaces : manifest.workspaces.filter((w) => names.includes(workspaceLabel(w)));
  if (chosen.length !== 1) {
    throw new TenantUsageError(`drill reads one workspace: name it with --workspace (workspaces: ${manifest.workspaces.map(workspaceLabel).join(', ')})`);
  }
  return chosen[0]!;
}

const DURATION_UNIT: Record<string, string> = { m: 'M', h: 'H', d: 'D' };

/** `2h` as the ISO 8601 duration the query API takes (PT2H; days are P1D). */
function isoDuration(since: string): string {
  const unit = since.slice(-1);
  return unit === 'd' ? `P${since.slice(0, -1)}D` : `PT${since.slice(0, -1)}${DURATION_UNIT[unit]}`;
}

/**
 * `breakglass drill`: reads the workspace through the Log Analytics query API with
 * @azure/monitor-query-logs (read-only) and writes the evidence of one test sign-in.
 */
export async function runDrill(args: DrillArgs, manifest: Manifest, catalog: Catalog, manifestFile: string, io: TenantCommandIo & { cwd: string }): Promise<number> {
  const account = manifest.accounts.find((a) => a.userPrincipalName.toLowerCase() === args.account.toLowerCase());
  if (!account) throw new TenantUsageError(`${args.account} is not an account of the manifest (accounts: ${manifest.accounts.map((a) => a.userPrincipalName).join(', ')})`);
  const workspace = pickWorkspace(manifest, args.workspaces);
  const logsEndpoint = args.logsEndpoint ?? io.env['BREAKGLASS_LOGS_ENDPOINT'];
  const authorityHost = io.env['AZURE_AUTHORITY_HOST'];
  const endpoints = endpointsFor(workspace.cloud, { ...(logsEndpoint ? { logsEndpoint } : {}), ...(authorityHost ? { authorityHost } : {}) });
  const rules = renderRules(manifest, catalog, manifestFile).rules;
  const queries = drillQueries({ accountObjectId: account.objectId, userPrincipalName: account.userPrincipalName, ruleGuids: rules.map((r) => r.guid), playbookName: playbookName(manifest), automationRuleNames: AUTOMATION_TRIGGERS.map(automationRuleDisplayName), since: args.since });
  const resourceId = `/subscriptions/${workspace.subscriptionId}/resourceGroups/${workspace.resourceGroup}/providers/Microsoft.OperationalInsights/workspaces/${workspace.workspaceName}`;
  // 1.0.0 declares `audience` but reads the scope from `credentials.scopes`: both are given.
  const client = new LogsQueryClient(azureCredential(endpoints.authorityHost), {
    endpoint: `${endpoints.logAnalytics}/v1`,
    audience: endpoints.logAnalyticsScope,
    credentials: { scopes: [endpoints.logAnalyticsScope] },
    retryOptions: { maxRetries: 4, retryDelayInMs: Number(io.env['BREAKGLASS_RETRY_DELAY_MS'] ?? 800) },
    userAgentOptions: { userAgentPrefix: 'breakglass-sentinel' },
  });
  const run = async (name: string, query: string): Promise<LogRow[]> => {
    let result;
    try {
      // Without the leading slash: the SDK puts `/{resourceId}/query` after /v1, and the documented
      // path is /v1/subscriptions/.../query (learn.microsoft.com/azure/azure-monitor/logs/api/azure-resource-queries).
      result = await client.queryResource(resourceId.slice(1), query, { duration: isoDuration(args.since) });
    } catch (error) {
      throw new DrillReadError(`the workspace ${workspaceLabel(workspace)} could not be read (${name}): ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
    }
    // A partial result (200 with an `error` beside the tables: a time-out, a row limit, a table that
    // could not be read) may lack the very record that proves a link: it is a failed read, not
    // evidence of a missing alert or notification.
    if (result.status !== LogsQueryResultStatus.Success) {
      const error = result.partialError as { code?: string; message?: string } | undefined;
      throw new DrillReadError(`the workspace ${workspaceLabel(workspace)} answered the ${name} query only in part (${error?.code ?? 'PartialError'}: ${error?.message ?? 'no message'}); run drill again, with a shorter --since if it persists`);
    }
    const table = result.tables[0];
    if (!table) return [];
    return table.rows.map((row) => Object.fromEntries(table.columnDescriptors.map((c, i) => [c.name ?? `column${i}`, row[i]])));
  };
  let rows: DrillRows;
  try {
    const [signIns, alerts, incidents, health] = await Promise.all([run('sign-ins', queries.signIns), run('alerts', queries.alerts), run('incidents', queries.incidents), run('health', queries.health)]);
    rows = { signIns, alerts, incidents, health };
  } catch (error) {
    if (!(error instanceof DrillReadError)) throw error;
    io.stdout.write(`breakglass drill: ${error.message}\nThe identity needs Log Analytics Reader (or Microsoft Sentinel Reader) on the workspace.\n`);
    return 1;
  }
  const now = io.now?.() ?? new Date();
  const evidence = drillEvidence({ objectId: account.objectId, userPrincipalName: account.userPrincipalName, workspace: resourceId, since: args.since, readAt: now, rows, queries: { ...queries } });
  const markdown = drillMarkdown(evidence);
  const dir = resolve(io.cwd, args.out, 'drill');
  const base = `${(evidence.steps[0]!.at ?? now.toISOString()).slice(0, 10)}-${account.userPrincipalName.split('@')[0]!.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, `${base}.md`), markdown);
  await writeFile(join(dir, `${base}.json`), `${JSON.stringify(evidence, null, 2)}\n`);
  const written = [join(dir, `${base}.md`), join(dir, `${base}.json`)].map((p) => displayPath(io.cwd, p));
  if (args.format === 'json') io.stdout.write(`${JSON.stringify({ ...evidence, files: written }, null, 2)}\n`);
  else io.stdout.write(`${markdown}\nwritten: ${written.join(', ')}\n`);
  return evidence.missing.length === 0 ? 0 : 1;
}

class DrillReadError extends Error {}
