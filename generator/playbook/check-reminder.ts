import type { Finding } from '../findings.js';
import { checkWorkflowExpressions } from '../logic-app/check-workflow.js';
import type { Manifest } from '../manifest/types.js';
import { analyzeQuery } from '../validate/analyze-query.js';
import type { PlaybookSource } from './playbook-definition.js';
import { parseReminder, REMINDER_RESULT_COLUMN, reminderQuery, reminderUnknownValues, reminderWorkflowDefinition, templateFinding } from './reminder-template.js';

/**
 * The validation reminder is checked like the notification playbook and the rules: its file
 * against its schema, its query template for unsafe constructs and unknown values, the rendered
 * KQL by Kusto.Language against the workspace tables (with the line in the template file), its
 * result column, and every Logic App expression of the workflow.
 */
export function checkReminder(manifest: Manifest, source: PlaybookSource, globals: Kusto.Language.GlobalState): Finding[] {
  const parsed = parseReminder(source.reminder);
  if (!parsed.template) return parsed.findings;
  const findings = [...parsed.findings];
  const unknown = reminderUnknownValues(manifest, parsed.template);
  for (const problem of unknown) findings.push(templateFinding(parsed.file, parsed.queryLine, problem, 'render/unknown-value'));
  if (unknown.length > 0) return findings;
  const query = reminderQuery(manifest, parsed.template);
  const analysis = analyzeQuery(query.text, globals);
  for (const d of analysis.diagnostics) {
    findings.push({ severity: d.severity, code: `kql/${d.code}`, message: `validation reminder query: ${d.message} (query line ${d.line}, column ${d.column})`, path: 'query', location: { file: parsed.file, line: parsed.queryLine + (query.templateLine[d.line - 1] ?? 1) - 1 } });
  }
  if (analysis.outputColumns && analysis.outputColumns.get(REMINDER_RESULT_COLUMN) !== 'dynamic') {
    findings.push({ severity: 'error', code: 'reminder/result', message: `validation reminder query must end with one dynamic column ${REMINDER_RESULT_COLUMN} (the playbook reads it); it returns ${[...analysis.outputColumns].map(([c, t]) => `${c}:${t}`).join(', ')}`, path: 'query', location: { file: parsed.file, line: parsed.queryLine } });
  }
  findings.push(...checkWorkflowExpressions(reminderWorkflowDefinition(manifest, parsed.template), 'out/arm/azuredeploy.json'));
  return findings;
}
