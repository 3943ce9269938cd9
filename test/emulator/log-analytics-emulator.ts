import type { Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compileQuery } from '../../generator/evaluate/evaluate-query.js';
import { tableFromRecords } from '../../generator/evaluate/input-rows.js';
import type { Table } from '../../generator/evaluate/table.js';
import { resultRows } from '../../generator/rule-tests/rule-cases.js';
import { analyzeQuery } from '../../generator/validate/analyze-query.js';
import { LOG_ANALYTICS_TABLES } from '../../generator/validate/kusto-schema.js';
import { sharedGlobals } from '../helpers/harness.js';
import { clientEnv, entraResponse, requestBody, startHttpsEndpoint, stopHttpsEndpoint } from './https-endpoint.js';

/**
 * An emulator of the Log Analytics query API (learn.microsoft.com/azure/azure-monitor/logs/api):
 * `POST /v1/{workspace resource id}/query` with `{ query, timespan }`, answered by running the
 * query on the project's offline KQL evaluator over rows seeded per workspace, in the API's
 * response shape (`tables[].columns[{name,type}]`, `rows` as arrays, dynamic values as JSON
 * text). A query Kusto.Language does not accept is refused with 400 as the service does. Tokens
 * are issued only for the Log Analytics scope.
 */
export const LOGS_SCOPE = 'https://api.loganalytics.io/.default';
const TOKEN = 'logs-token';

export interface LogsCall {
  path: string;
  query: string;
  timespan: string | undefined;
  status: number;
}

/** ISO 8601 durations as the API takes them: PT30M, PT2H, P1D. */
function durationMs(iso: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(iso);
  if (!m) return undefined;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Number(m[4] ?? 0) * 1000;
}

export class LogAnalyticsEmulator {
  /** Workspace resource id (lower case) -> table name -> records. */
  readonly workspaces = new Map<string, Record<string, Record<string, unknown>[]>>();
  readonly calls: LogsCall[] = [];
  /**
   * Queries containing this text are answered as a partial result: 200 with the tables and an
   * `error` beside them, as the API does when a query hits a limit midway.
   */
  partialFailure: { when: string; error: { code: string; message: string } } | undefined;
  url = '';
  caFile = '';
  private server?: Server;

  async start(): Promise<void> {
    const endpoint = await startHttpsEndpoint((req, res) => void this.handle(req, res), 'logs-emulator-');
    ({ server: this.server, caFile: this.caFile, url: this.url } = endpoint);
  }

  async stop(): Promise<void> {
    await stopHttpsEndpoint(this.server);
  }

  seed(workspaceResourceId: string, tables: Record<string, Record<string, unknown>[]>): void {
    this.workspaces.set(workspaceResourceId.toLowerCase(), tables);
  }

  env(): Record<string, string> {
    return {
      ...clientEnv(this),
      BREAKGLASS_LOGS_ENDPOINT: this.url,
      BREAKGLASS_RETRY_DELAY_MS: '10',
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await requestBody(req);
    const url = new URL(req.url ?? '/', this.url);
    let call: LogsCall = { path: url.pathname, query: '', timespan: undefined, status: 0 };
    const reply = (status: number, payload: unknown) => {
      if (call.query) this.calls.push({ ...call, status });
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    const entra = entraResponse(url.pathname, this.url, body, ({ scope }) => (scope === LOGS_SCOPE ? TOKEN : { error: 'invalid_resource', description: `AADSTS500011: The resource principal named ${scope} was not found in the tenant.` }));
    if (entra) return reply(entra.status, entra.payload);
    if (req.headers.authorization !== `Bearer ${TOKEN}`) return reply(401, { error: { code: 'InvalidTokenError', message: 'The provided authentication is not valid for this resource.' } });
    const match = /^\/v1(\/subscriptions\/.+\/providers\/microsoft\.operationalinsights\/workspaces\/[^/]+)\/query$/i.exec(url.pathname);
    if (req.method !== 'POST' || !match) return reply(404, { error: { code: 'PathNotFoundError', message: `The requested path does not exist: ${url.pathname}` } });
    let request: { query?: unknown; timespan?: unknown };
    try {
      request = JSON.parse(body) as { query?: unknown; timespan?: unknown };
    } catch {
      return reply(400, { error: { code: 'BadArgumentError', message: 'The request body is not JSON.' } });
    }
    call = { ...call, query: String(request.query ?? ''), timespan: typeof request.timespan === 'string' ? request.timespan : undefined };
    const tables = this.workspaces.get(match[1]!.toLowerCase());
    if (!tables) return reply(404, { error: { code: 'ResourceNotFoundError', message: `The workspace ${match[1]} could not be found.` } });
    const analysis = analyzeQuery(call.query, sharedGlobals());
    const error = analysis.diagnostics.find((d) => d.severity === 'error');
    if (error || !analysis.outputColumns) {
      return reply(400, { error: { code: 'BadArgumentError', message: 'The request had some invalid properties', innererror: { code: 'SemanticError', message: error ? `${error.code}: ${error.message}` : 'the query has no tabular result' } } });
    }
    const now = Date.now();
    const span = call.timespan ? durationMs(call.timespan) : undefined;
    const input = new Map<string, Table>(
      Object.entries(LOG_ANALYTICS_TABLES).map(([name, schema]) => {
        const records = (tables[name] ?? []).filter((r) => span === undefined || Date.parse(String(r['TimeGenerated'])) >= now - span);
        return [name, tableFromRecords(records, schema, name)];
      }),
    );
    const result = resultRows(compileQuery(call.query, sharedGlobals()).run({ tables: input, now }));
    const columns = [...analysis.outputColumns.entries()].map(([name, type]) => ({ name, type }));
    const rows = result.rows.map((row) => columns.map((c) => wire(row[c.name], c.type)));
    const partial = this.partialFailure && call.query.includes(this.partialFailure.when) ? { error: this.partialFailure.error } : {};
    return reply(200, { tables: [{ name: 'PrimaryResult', columns, rows }], ...partial });
  }
}

/** A value as the API writes it: dynamic as JSON text, datetimes as ISO strings. */
function wire(value: unknown, type: string): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'dynamic') return JSON.stringify(value);
  return value;
}
