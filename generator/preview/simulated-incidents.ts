import { tableFromRecords } from '../evaluate/input-rows.js';
import type { Table } from '../evaluate/table.js';
import { KDateTime } from '../evaluate/values.js';
import type { Manifest } from '../manifest/types.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { replayHistory } from '../rule-tests/replay-history.js';
import type { TableSchemas } from '../validate/kusto-schema.js';
import { alertTitle } from '../report/alert-summary.js';

/**
 * The incidents the rules would raise over the preview's rows, as SecurityIncident records: time
 * passes over the rows (replay --history), and every alert becomes a new incident of its rule, with
 * the title Sentinel would give it. So the workbook's incident section, and its filter on our
 * rule ids, show real output of the rules instead of an empty table. Pure.
 */
export function simulatedIncidents(rules: readonly RenderedRule[], manifest: Manifest, tables: ReadonlyMap<string, Table>, globals: Kusto.Language.GlobalState, schemas: TableSchemas): Table {
  const byId = new Map(rules.map((rule) => [rule.id, rule]));
  const alerts = replayHistory(rules, manifest, tables, globals)
    .rules.flatMap((history) => history.alerts.map((alert) => ({ rule: byId.get(history.ruleId)!, alert })))
    .sort((a, b) => a.alert.at - b.alert.at || a.rule.id.localeCompare(b.rule.id));
  const records = alerts.map(({ rule, alert }, i) => {
    const created = new KDateTime(alert.at).toJSON();
    const first = alert.result.rows[0] ?? {};
    return {
      TimeGenerated: created,
      CreatedTime: created,
      LastModifiedTime: created,
      IncidentNumber: i + 1,
      IncidentName: `preview-${i + 1}`,
      Title: alertTitle(rule, first),
      Severity: rule.severity,
      Status: 'New',
      Classification: '',
      Owner: { assignedTo: null },
      RelatedAnalyticRuleIds: [rule.guid],
      ProviderName: 'Azure Sentinel',
      Description: rule.template.description,
    };
  });
  return tableFromRecords(records, schemas['SecurityIncident'] ?? [], 'SecurityIncident');
}
