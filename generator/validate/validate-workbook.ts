import type { Finding } from '../findings.js';
import type { RenderedWorkbook } from '../workbook/render-workbook.js';
import { substituteWorkbookParameters } from '../workbook/render-workbook.js';
import type { ParsedWorkbook } from '../workbook/workbook-template.js';
import { analyzeQuery } from './analyze-query.js';

/** Every workbook query, with its parameters stood in for, analysed like a rule's query. */
export function validateWorkbook(rendered: RenderedWorkbook, parsed: ParsedWorkbook, globals: Kusto.Language.GlobalState, onAnalysed?: () => void): Finding[] {
  const findings: Finding[] = [];
  for (const { index, item, query } of rendered.queries) {
    const at = (line: number) => ({ file: parsed.file, line: parsed.queryLine(index) + (query.templateLine[line - 1] ?? 1) - 1 });
    const { text, unknown } = substituteWorkbookParameters(query.text);
    for (const parameter of unknown) {
      findings.push({ severity: 'error', code: 'workbook/unknown-parameter', message: `workbook ${item.name}: ${parameter} is not a parameter of the workbook (TimeRange)`, path: `items[${index}].query`, location: { file: parsed.file, line: parsed.queryLine(index) } });
    }
    // Stand-ins keep line numbers: they never hold a newline.
    const analysis = analyzeQuery(text, globals);
    onAnalysed?.();
    for (const d of analysis.diagnostics) {
      findings.push({ severity: d.severity, code: `kql/${d.code}`, message: `workbook ${item.name}: ${d.message} (query line ${d.line}, column ${d.column})`, path: `items[${index}].query`, location: at(d.line) });
    }
    if (item.statusColumn && analysis.outputColumns && !analysis.outputColumns.has(item.statusColumn)) {
      findings.push({ severity: 'error', code: 'workbook/unknown-column', message: `workbook ${item.name}: statusColumn '${item.statusColumn}' is not a column of the query's result`, path: `items[${index}].statusColumn`, location: { file: parsed.file, line: parsed.queryLine(index) - 1 } });
    }
  }
  return findings;
}
