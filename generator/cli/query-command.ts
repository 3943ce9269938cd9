import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { EvaluationError } from '../evaluate/evaluation-error.js';
import { InputRowError, tableFromRecords } from '../evaluate/input-rows.js';
import type { Table } from '../evaluate/table.js';
import { formatDateTime, KDateTime, parseDateTime } from '../evaluate/values.js';
import { evaluateQuery, workspaceTables, type QueryResult } from '../index.js';
import { recordsOfText, sortRecords, WrongTableError } from '../replay-input/read-records.js';
import { EventsSpecError, parseEventsSpec } from '../rule-tests/event-records.js';
import { newestTime } from '../rule-tests/look-back.js';
import { UsageError } from './usage-error.js';

export interface QueryIo {
  cwd: string;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * `breakglass query FILE.kql`: one query, run offline by the engine over the records given per
 * table (--events), as of --now (default: the newest TimeGenerated of the records, else the
 * machine's clock). Needs no manifest. Exit 0 with the result; 1 when the engine refuses the query
 * (unsupported, naming the construct) or Kusto would (invalid, with its diagnostics).
 */
export async function runQuery(args: { queryFile?: string; format: string; events: string[]; now?: string }, io: QueryIo): Promise<number> {
  if (!args.queryFile) throw new UsageError('query needs the file of the query, e.g. breakglass query rule.kql --events SigninLogs=signins.json', 'query');
  const queryPath = resolve(io.cwd, args.queryFile);
  const text = await readFile(queryPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`cannot read the query file ${args.queryFile}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`, 'query');
  });
  const records: Record<string, Record<string, unknown>[]> = {};
  const typed = new Map<string, Table>();
  const known = Object.keys(workspaceTables);
  for (const spec of args.events) {
    let given: string | undefined;
    let file: string;
    try {
      ({ table: given, file } = parseEventsSpec(spec, workspaceTables));
    } catch (error) {
      if (error instanceof EventsSpecError) throw new UsageError(error.message, 'query');
      throw error;
    }
    const content = await readFile(resolve(io.cwd, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read the events file ${file}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`, 'query');
    });
    try {
      // Every export shape replay reads (Log Analytics rows or CSV, the portal's CSV, Graph, the
      // Entra admin center's downloads, diagnostic-settings records), each record to its table.
      const sorted = sortRecords(recordsOfText(content, file), file, given, known);
      for (const [table, rows] of sorted.rows) {
        // Typed here first: a bad record is reported by file and row before anything runs.
        typed.set(`${table}\u0000${file}`, tableFromRecords(rows, workspaceTables[table] ?? [], file));
        (records[table] ??= []).push(...(rows as Record<string, unknown>[]));
      }
    } catch (error) {
      if (error instanceof WrongTableError) throw new UsageError(error.message, 'query');
      if (!(error instanceof InputRowError)) throw error;
      io.stderr.write(`breakglass: ${error.message}\nThe query was not run: fix the records and run again.\n`);
      return 1;
    }
  }
  let now: string;
  if (args.now !== undefined) {
    if (!parseDateTime(args.now)) throw new UsageError(`--now ${args.now} is not a datetime (use ISO 8601, e.g. 2026-11-25T09:58:00Z)`, 'query');
    now = args.now;
  } else now = formatDateTime(new KDateTime(newestTime(typed) ?? Date.now()));
  let result: QueryResult;
  try {
    result = await evaluateQuery(text, { tables: records, now });
  } catch (error) {
    if (!(error instanceof EvaluationError)) throw error;
    if (args.format === 'json') io.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message, ...(error.diagnostics ? { diagnostics: error.diagnostics } : {}) } }, null, 2)}\n`);
    else io.stderr.write(`breakglass: ${error.code === 'unsupported' ? 'the offline engine cannot run this query' : 'the query is not valid'}: ${error.message}\n`);
    return 1;
  }
  if (args.format === 'json') io.stdout.write(`${JSON.stringify({ now, ...result }, null, 2)}\n`);
  else io.stdout.write(tableText(result, now));
  return 0;
}

/** The result as a text table: one column per result column, values as Kusto prints them. */
function tableText(result: QueryResult, now: string): string {
  const header = result.columns.map((c) => c.name);
  const cells = result.rows.map((row) => row.map(cellText));
  const widths = header.map((h, i) => Math.min(60, Math.max(h.length, ...cells.map((r) => r[i]!.length))));
  const line = (values: readonly string[]) => values.map((v, i) => (v.length > widths[i]! ? `${v.slice(0, widths[i]! - 1)}…` : v.padEnd(widths[i]!))).join('  ').trimEnd();
  const count = `${result.rows.length} row${result.rows.length === 1 ? '' : 's'} (now = ${now})`;
  if (header.length === 0) return `${count}\n`;
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line), count].join('\n') + '\n';
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\s+/g, ' ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
