import type { RuleTestCase } from '../catalog/rule-template.js';
import { tableFromRecords } from '../evaluate/input-rows.js';
import type { Table } from '../evaluate/table.js';
import { parseDateTime } from '../evaluate/values.js';
import { closestMatch } from '../suggest.js';
import type { TableSchemas } from '../validate/kusto-schema.js';
import { attachIngestionTimes, INGESTION_TIME_COLUMNS } from './ingestion-time.js';
import { newestTime } from './look-back.js';

/** A mistake in a test case as written: the case cannot say anything until it is fixed. */
export class CaseError extends Error {}

export interface CaseInput {
  tables: Map<string, Table>;
  now: number;
}

/**
 * The case's rows as typed tables, and its clock. Stricter than replay: a column name the table
 * does not have is an error here, because a misspelt column is null and would make a negative
 * case pass for the wrong reason.
 */
export function caseInput(testCase: RuleTestCase, schemas: TableSchemas): CaseInput {
  const tables = new Map<string, Table>();
  for (const [name, records] of Object.entries(testCase.rows)) {
    const schema = schemas[name];
    if (!schema) {
      const guess = closestMatch(name, Object.keys(schemas));
      throw new CaseError(`rows.${name}: the workspace schema has no table ${name}${guess ? ` (did you mean ${guess}?)` : ''}; tables: ${Object.keys(schemas).join(', ')}`);
    }
    // IngestionTime: when Log Analytics ingested the row (default: its TimeGenerated), for cases of late records.
    const columns = [...schema.map((c) => c.name), INGESTION_TIME_COLUMNS[0]];
    records.forEach((record, index) => {
      for (const key of Object.keys(record)) {
        if (!columns.includes(key)) {
          const guess = closestMatch(key, columns);
          throw new CaseError(`rows.${name}[${index}].${key}: ${name} has no column ${key}${guess ? ` (did you mean ${guess}?)` : ''}`);
        }
      }
      if (record['TimeGenerated'] === undefined) throw new CaseError(`rows.${name}[${index}]: give TimeGenerated, the rule's look-back window is measured on it`);
    });
    try {
      const table = tableFromRecords(records, schema, `rows.${name}`);
      attachIngestionTimes(table, `rows.${name}`);
      tables.set(name, table);
    } catch (error) {
      throw new CaseError(error instanceof Error ? error.message : String(error));
    }
  }
  let now = newestTime(tables);
  if (testCase.now !== undefined) {
    const parsed = parseDateTime(testCase.now);
    if (!parsed) throw new CaseError(`now: ${JSON.stringify(testCase.now)} is not a datetime (use ISO 8601, e.g. 2026-11-25T09:58:00Z)`);
    now = parsed.ms;
  }
  if (now === undefined) throw new CaseError('the case has no rows and no now: give at least one row');
  return { tables, now };
}
