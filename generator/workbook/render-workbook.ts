import Handlebars from 'handlebars';
import { arm, DEPLOYMENT_TEMPLATE_SCHEMA, type ArmValue } from '../arm/arm-json.js';
import type { Catalog } from '../catalog/rule-template.js';
import type { Finding } from '../findings.js';
import { DEFAULT_VALIDATION_INTERVAL_DAYS, type AccountSource, type Manifest } from '../manifest/types.js';
import { queryContext } from '../render/query-context.js';
import { renderQueryTemplate, unknownValues, type QueryContext, type RenderedQuery } from '../render/query-template.js';
import { queryPartials } from '../render/render-rules.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { uuidV5 } from '../render/uuid-v5.js';
import { FLAGGED_STATUSES, type ParsedWorkbook, type WorkbookItemTemplate } from './workbook-template.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const WORKSPACE_RESOURCE_TYPE = 'microsoft.operationalinsights/workspaces';

export interface WorkbookContext extends QueryContext {
  validationIntervalDays: number;
  /** GUIDs of the analytics rules, to find their incidents. */
  ruleGuids: string[];
}

export interface RenderedWorkbookQuery {
  index: number;
  item: WorkbookItemTemplate;
  query: RenderedQuery;
}

export interface RenderedWorkbook {
  notebook: ArmValue;
  queries: RenderedWorkbookQuery[];
  /** Item index -> rendered markdown of the text items. */
  texts: Map<number, string>;
  findings: Finding[];
}

export function workbookContext(manifest: Manifest, rules: readonly RenderedRule[]): WorkbookContext {
  return { ...queryContext(manifest), validationIntervalDays: manifest.validationIntervalDays ?? DEFAULT_VALIDATION_INTERVAL_DAYS, ruleGuids: rules.map((r) => r.guid) };
}

/** The workbook's `serializedData`, in Azure Workbooks' Notebook/1.0 form. Pure. */
export function renderWorkbook(parsed: ParsedWorkbook & { workbook: NonNullable<ParsedWorkbook['workbook']> }, catalog: Catalog, source: AccountSource, context: WorkbookContext): RenderedWorkbook {
  const wb = parsed.workbook;
  const { partials, findings } = queryPartials(catalog, source);
  const queries: RenderedWorkbookQuery[] = [];
  const items: ArmValue[] = [];
  const texts = new Map<number, string>();
  wb.items.forEach((item, index) => {
    if (item.type === 'text') {
      const markdown = Handlebars.create().compile(item.markdown ?? '', { strict: true })(context);
      texts.set(index, markdown.trimEnd());
      items.push({ type: 1, content: { json: markdown.trimEnd() }, name: `text - ${item.name}` });
    } else if (item.type === 'parameters') {
      items.push(timeRangeParameter(wb.id, wb.defaultTimeRangeDays, item.name));
    } else {
      const unknown = unknownValues(item.query!, context);
      for (const problem of unknown) {
        findings.push({ severity: 'error', code: 'render/unknown-value', message: `workbook ${item.name}: ${problem.message}`, path: `items[${index}].query`, location: { file: parsed.file, line: parsed.queryLine(index) + problem.line - 1 } });
      }
      if (unknown.length > 0 || Object.keys(partials).length < 2) return;
      const query = renderQueryTemplate(item.query!, partials, context);
      queries.push({ index, item, query });
      items.push(queryItem(item, query.text, wb.defaultTimeRangeDays));
    }
  });
  const notebook = { version: 'Notebook/1.0', items, isLocked: false, fallbackResourceIds: [] as string[] };
  return { notebook, queries, texts, findings };
}

function timeRangeParameter(workbookId: string, defaultDays: number, name: string): ArmValue {
  return {
    type: 9,
    content: {
      version: 'KqlParameterItem/1.0',
      parameters: [
        {
          id: uuidV5(`${workbookId}/parameters/TimeRange`, '6ba7b811-9dad-11d1-80b4-00c04fd430c8'),
          version: 'KqlParameterItem/1.0',
          name: 'TimeRange',
          label: 'Time range',
          type: 4,
          isRequired: true,
          value: { durationMs: defaultDays * DAY_MS },
          typeSettings: { selectableValues: [1, 7, 14, 30, 90].map((d) => ({ durationMs: d * DAY_MS })), allowCustom: true },
        },
      ],
      style: 'pills',
      queryType: 0,
      resourceType: WORKSPACE_RESOURCE_TYPE,
    },
    name: `parameters - ${name}`,
  };
}

function queryItem(item: WorkbookItemTemplate, query: string, defaultDays: number): ArmValue {
  const fixedDays = item.timeRange ? Number(item.timeRange.slice(0, -1)) : undefined;
  return {
    type: 3,
    content: {
      version: 'KqlItem/1.0',
      query,
      size: 0,
      title: item.title ?? item.name,
      // A fixed look-back (last sign-in per account) must not shrink with the time range picked.
      ...(fixedDays ? { timeContext: { durationMs: fixedDays * DAY_MS } } : { timeContext: { durationMs: defaultDays * DAY_MS }, timeContextFromParameter: 'TimeRange' }),
      queryType: 0,
      resourceType: WORKSPACE_RESOURCE_TYPE,
      visualization: item.visualization ?? 'table',
      ...(item.statusColumn
        ? {
            gridSettings: {
              formatters: [
                {
                  columnMatch: item.statusColumn,
                  formatter: 18,
                  formatOptions: {
                    thresholdsOptions: 'icons',
                    thresholdsGrid: [
                      ...FLAGGED_STATUSES.map((status) => ({ operator: '==', thresholdValue: status, representation: '4', text: '{0}{1}' })),
                      { operator: 'Default', thresholdValue: null, representation: 'success', text: '{0}{1}' },
                    ],
                  },
                },
              ],
            },
          }
        : {}),
    },
    name: `query - ${item.name}`,
  };
}

/**
 * Stand-ins for workbook parameters, so a workbook query can be analysed like any other query:
 * `{TimeRange}` becomes what the workbook writes for a relative range.
 */
const PARAMETER_STAND_INS: Record<string, string> = {
  '{TimeRange}': '> ago(30d)',
  '{TimeRange:start}': 'datetime(2026-01-01T00:00:00Z)',
  '{TimeRange:end}': 'datetime(2026-01-31T00:00:00Z)',
  '{TimeRange:grain}': '1h',
};

export function substituteWorkbookParameters(query: string): { text: string; unknown: string[] } {
  const unknown: string[] = [];
  const text = query.replace(/\{[A-Za-z]\w*(?::\w+)?\}/g, (parameter) => {
    const standIn = PARAMETER_STAND_INS[parameter];
    if (standIn === undefined) unknown.push(parameter);
    return standIn ?? parameter;
  });
  return { text, unknown };
}

export function workbookGuid(manifest: Manifest, workbookId: string): string {
  return uuidV5(`breakglass-sentinel/workbook/${workbookId}`, manifest.idNamespace.toLowerCase());
}

export function workbookResource(manifest: Manifest, parsed: ParsedWorkbook & { workbook: NonNullable<ParsedWorkbook['workbook']> }, notebook: ArmValue): ArmValue {
  return {
    type: 'Microsoft.Insights/workbooks',
    apiVersion: '2022-04-01',
    // Workbook names are unique per subscription: one per workspace, derived by ARM from the
    // manifest's workbook id and the workspace's resource id (guid() is deterministic).
    name: arm(`guid('${workbookGuid(manifest, parsed.workbook.id)}', resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspace')))`),
    location: arm("parameters('location')"),
    kind: 'shared',
    tags: { 'managed-by': 'breakglass-sentinel', 'hidden-title': parsed.workbook.displayName },
    properties: {
      displayName: parsed.workbook.displayName,
      serializedData: JSON.stringify(notebook),
      version: '1.0',
      sourceId: arm("resourceId('Microsoft.OperationalInsights/workspaces', parameters('workspace'))"),
      category: 'sentinel',
    },
  };
}

export function workbookTemplate(manifest: Manifest, parsed: ParsedWorkbook & { workbook: NonNullable<ParsedWorkbook['workbook']> }, notebook: ArmValue): ArmValue {
  return {
    $schema: DEPLOYMENT_TEMPLATE_SCHEMA,
    contentVersion: '1.0.0.0',
    parameters: {
      workspace: { type: 'string', metadata: { description: 'Name of the Log Analytics workspace that Microsoft Sentinel runs on (in this resource group).' } },
      location: { type: 'string', defaultValue: arm('resourceGroup().location'), metadata: { description: 'Region of the workbook.' } },
    },
    resources: [workbookResource(manifest, parsed, notebook)],
  };
}
