import { Ajv, type ValidateFunction } from 'ajv';
import schema from '../../schemas/workbook-template.schema.json' with { type: 'json' };
import { hasErrors, type Finding } from '../findings.js';
import { checkQueryTemplate } from '../render/query-template.js';
import { schemaErrorToFinding } from '../schema-errors.js';
import { locate, parseYaml } from '../yaml-source.js';

export interface WorkbookItemTemplate {
  type: 'text' | 'parameters' | 'query';
  name: string;
  markdown?: string;
  title?: string;
  /** A fixed look-back such as 365d instead of the workbook's time range. */
  timeRange?: string;
  visualization?: 'table' | 'timechart' | 'barchart' | 'piechart' | 'tiles';
  /** A column whose values get icons: FLAGGED_STATUSES a warning, anything else a tick. */
  statusColumn?: string;
  query?: string;
}

/** Status values that need someone to act (an account to test): flagged in the workbook and the preview. */
export const FLAGGED_STATUSES = ['Never tested', 'Test overdue'] as const;

export interface WorkbookTemplate {
  id: string;
  displayName: string;
  version: string;
  defaultTimeRangeDays: number;
  items: WorkbookItemTemplate[];
}

export interface ParsedWorkbook {
  workbook?: WorkbookTemplate;
  file: string;
  /** Line of the file where item i's query text starts. */
  queryLine: (index: number) => number;
  findings: Finding[];
}

let validator: ValidateFunction | undefined;

/** Parses a workbook template file. Pure. */
export function parseWorkbookTemplate(text: string, file: string): ParsedWorkbook {
  const { source, value, findings } = parseYaml(text, file, 'workbook');
  const queryLine = (index: number) => locate(source, ['items', index, 'query']).line + 1;
  if (hasErrors(findings)) return { file, queryLine, findings };
  validator ??= new Ajv({ allErrors: true, verbose: true, strict: true }).compile(schema);
  if (!validator(value)) {
    for (const error of validator.errors ?? []) {
      const finding = schemaErrorToFinding(error, source, 'workbook');
      if (finding) findings.push(finding);
    }
    return { file, queryLine, findings };
  }
  const workbook = value as WorkbookTemplate;
  workbook.items.forEach((item, i) => {
    if (item.type === 'query' && !item.query) {
      findings.push({ severity: 'error', code: 'workbook/missing-query', message: `items[${i}] (${item.name}) is a query item without a query`, path: `items[${i}]`, location: { file, line: locate(source, ['items', i]).line } });
    }
    for (const problem of item.query ? checkQueryTemplate(item.query) : []) {
      findings.push({ severity: 'error', code: 'workbook/template', message: `${item.name}: ${problem.message}`, path: `items[${i}].query`, location: { file, line: queryLine(i) + problem.line - 1 } });
    }
  });
  return hasErrors(findings) ? { file, queryLine, findings } : { workbook, file, queryLine, findings };
}
