/**
 * The records of one export file, as typed rows of the tables the rules read. The file is parsed
 * whole here (JSON, JSON lines or CSV); each record then goes through `toLogAnalyticsRow` on its
 * own, so a streaming reader can replace `recordsOfText` without touching the mapping. Pure: `file`
 * is only used in messages.
 */
import { InputRowError, parseCsv } from '../evaluate/input-rows.js';
import { rowKind, SHAPE_NAMES, toLogAnalyticsRow, type MappedRecord, type RecordKind, type SourceShape } from './source-records.js';

/** Which kind of record each of our tables holds. */
export const TABLE_KINDS: Readonly<Record<string, RecordKind>> = {
  SigninLogs: 'sign-in',
  AADNonInteractiveUserSignInLogs: 'sign-in',
  AuditLogs: 'audit',
};

/** Records given under a table they do not belong to: a usage error, naming the right one. */
export class WrongTableError extends Error {}

/**
 * The records of an export: a JSON array; a Log Analytics API response ({ tables: [{ columns, rows }] });
 * a Microsoft Graph response ({ value: [...] }); an event hub message or an older storage blob
 * ({ records: [...] }); JSON lines, one record (or one such message) per line, as a storage
 * account's PT1H.json blobs are now; or CSV with a header row.
 */
export function recordsOfText(text: string, file: string): unknown[] {
  const body = text.replace(/^\uFEFF/, '');
  const first = /\S/.exec(body)?.[0];
  if (/\.csv$/i.test(file) || (first !== undefined && first !== '{' && first !== '[')) return parseCsv(body, file).map(withoutEmptyCells);
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    const lines = body.split(/\r?\n/).filter((l) => l.trim() !== '');
    if (lines.length > 1 && lines.every((l) => l.trimStart().startsWith('{'))) {
      return lines.flatMap((line, index) => {
        try {
          return unwrap(JSON.parse(line), file);
        } catch (lineError) {
          if (lineError instanceof InputRowError) throw lineError;
          throw new InputRowError(`${file} line ${index + 1}`, `not valid JSON (${lineError instanceof Error ? lineError.message : String(lineError)})`);
        }
      });
    }
    throw new InputRowError(file, `not valid JSON (${error instanceof Error ? error.message : String(error)}); give a JSON array of records, JSON lines, or a CSV file named *.csv`);
  }
  return unwrap(value, file);
}

/** An empty CSV cell is no value (a null datetime or dynamic, an empty string), as the table defaults it. */
function withoutEmptyCells(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== ''));
}

function unwrap(value: unknown, file: string): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value !== 'object' || value === null) throw new InputRowError(file, 'expected JSON records (an array, JSON lines, { "records": [...] } or { "value": [...] })');
  const object = value as Record<string, unknown>;
  if (Array.isArray(object['records'])) return object['records'];
  if (Array.isArray(object['value'])) return object['value'];
  const tables = object['tables'];
  if (Array.isArray(tables) && tables.length > 0) {
    const first = tables[0] as { columns?: { name?: unknown }[]; rows?: unknown[][] };
    if (Array.isArray(first.columns) && Array.isArray(first.rows)) {
      const names = first.columns.map((c) => String(c.name));
      return first.rows.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]])));
    }
  }
  // One record on its own (a line of JSON lines).
  return [object];
}

export interface SortedRecords {
  /** Rows per table the rules read. */
  rows: Map<string, Record<string, unknown>[]>;
  /** Records of tables the rules do not read, counted per table (only when no table was given). */
  skipped: Map<string, number>;
  /** The shapes met, with their record counts. */
  shapes: Map<SourceShape, number>;
}

/**
 * Maps every record and sorts it into its table: the one given on the command line (a record that
 * says it is of another is refused), or, without one, the table each record names.
 */
export function sortRecords(records: readonly unknown[], file: string, given: string | undefined, tables: readonly string[], onRecords?: (done: number, total: number) => void): SortedRecords {
  const sorted: SortedRecords = { rows: new Map(), skipped: new Map(), shapes: new Map() };
  records.forEach((record, index) => {
    if (onRecords && index % 4096 === 0) onRecords(index, records.length);
    const mapped = toLogAnalyticsRow(record);
    if ('problem' in mapped) throw new InputRowError(`${file}[${index}]`, mapped.problem);
    sorted.shapes.set(mapped.shape, (sorted.shapes.get(mapped.shape) ?? 0) + 1);
    const table = recordTable(mapped, file, index, given, tables);
    if (!tables.includes(table)) {
      sorted.skipped.set(table, (sorted.skipped.get(table) ?? 0) + 1);
      return;
    }
    const list = sorted.rows.get(table) ?? [];
    list.push(mapped.row);
    sorted.rows.set(table, list);
  });
  return sorted;
}

/**
 * The table a mapped record goes to: the one given on the command line (a record that says it is of
 * another is refused, WrongTableError), or, without one, the one the record names.
 */
export function recordTable(mapped: MappedRecord, file: string, index: number, given: string | undefined, tables: readonly string[]): string {
  return given === undefined ? routed(mapped, file, index, tables) : checked(mapped, file, index, given);
}

function describe(mapped: MappedRecord): string {
  return `${SHAPE_NAMES[mapped.shape]}`;
}

/** The given table, if the record may be of it. */
function checked(mapped: MappedRecord, file: string, index: number, given: string): string {
  if (mapped.table !== undefined && mapped.table !== given) {
    const ours = TABLE_KINDS[mapped.table] !== undefined;
    throw new WrongTableError(
      `${file}[${index}] is a ${mapped.table} record (${describe(mapped)}), given as --events ${given}=${file}: ` +
        (ours ? `give the file as --events ${mapped.table}=${file}, or as --events ${file} to let each record name its table` : `the rules do not read ${mapped.table}; export only ${given} records, or give the file as --events ${file} so records of other tables are left out`),
    );
  }
  const kind = rowKind(mapped.row);
  const wanted = TABLE_KINDS[given];
  if (mapped.table === undefined && kind !== undefined && wanted !== undefined && kind !== wanted) {
    const tables = Object.entries(TABLE_KINDS).filter(([, k]) => k === kind).map(([t]) => t);
    throw new WrongTableError(`${file}[${index}] is a ${kind} record (${describe(mapped)}), given as --events ${given}=${file}: give it as ${tables.map((t) => `--events ${t}=${file}`).join(' or ')}`);
  }
  return given;
}

/** Without a table on the command line, the record must name its own (a directory change can only be AuditLogs). */
function routed(mapped: MappedRecord, file: string, index: number, tables: readonly string[]): string {
  if (mapped.table !== undefined) return mapped.table;
  if (rowKind(mapped.row) === 'audit') return 'AuditLogs';
  throw new WrongTableError(`${file}[${index}] does not say which table it belongs to (${describe(mapped)}): give the file as --events TABLE=${file}, TABLE one of ${tables.join(', ')}`);
}
