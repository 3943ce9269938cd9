import type { ColumnSchema } from './schema.js';
import type { Row, Table } from './table.js';
import { toLong, toReal } from './convert.js';
import { parseJsonText } from './json-text.js';
import { fromJson, KDateTime, KTimespan, parseClockTimespan, parseDateTime, parseTimespanLiteral, type KValue } from './values.js';

export class InputRowError extends Error {
  constructor(
    readonly where: string,
    message: string,
  ) {
    super(`${where}: ${message}`);
    this.name = 'InputRowError';
  }
}

/** One value of an export or a test case, in the column's Kusto type. */
function coerce(value: unknown, type: string, where: () => string): KValue {
  // where() builds its message only when a value is wrong: it runs for every cell of an export.
  if (value === undefined) return type === 'string' ? '' : null;
  switch (type) {
    case 'string':
      if (value === null) return '';
      return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'datetime': {
      if (value === null || value === '') return null;
      if (value instanceof Date) return new KDateTime(value.getTime());
      if (typeof value === 'number') return new KDateTime(value);
      const parsed = typeof value === 'string' ? parseDateTime(value) : null;
      if (!parsed) throw new InputRowError(where(), `${JSON.stringify(value)} is not a datetime (use ISO 8601, e.g. 2026-11-25T09:58:00Z)`);
      return parsed;
    }
    case 'timespan': {
      if (value === null || value === '') return null;
      const parsed = typeof value === 'string' ? (parseTimespanLiteral(value) ?? parseClockTimespan(value)) : typeof value === 'number' ? new KTimespan(value) : undefined;
      if (!parsed) throw new InputRowError(where(), `${JSON.stringify(value)} is not a timespan (e.g. 5m, 1h, 01:30:00)`);
      return parsed;
    }
    case 'bool':
    case 'boolean':
      if (value === null || value === '') return null;
      if (typeof value === 'boolean') return value;
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
      if (typeof value === 'number') return value !== 0;
      throw new InputRowError(where(), `${JSON.stringify(value)} is not a bool`);
    case 'int':
    case 'long': {
      if (value === null || value === '') return null;
      const long = typeof value === 'number' || typeof value === 'string' || typeof value === 'bigint' ? toLong(value as KValue) : null;
      if (long === null) throw new InputRowError(where(), `${JSON.stringify(String(value))} is not a whole number`);
      return type === 'int' ? Number(BigInt.asIntN(32, BigInt(long))) : long;
    }
    case 'real':
    case 'double':
    case 'decimal': {
      if (value === null || value === '') return null;
      const n = typeof value === 'number' ? value : typeof value === 'string' ? toReal(value) : null;
      if (n === null) throw new InputRowError(where(), `${JSON.stringify(value)} is not a number`);
      return n;
    }
    case 'guid':
      return value === null ? null : String(value).toLowerCase();
    default: {
      // dynamic: exports carry JSON as text; test cases may write the object itself.
      if (typeof value !== 'string') return fromJson(value);
      const parsed = parseJsonText(value);
      return parsed === undefined ? value : parsed;
    }
  }
}

/**
 * Rows as a Log Analytics export or a test case gives them (column name -> value), typed by the
 * table's schema. Absent columns are null ("" for strings); unknown columns are kept as given.
 */
export function tableFromRecords(records: readonly unknown[], schema: readonly ColumnSchema[], source: string): Table {
  const typed = recordTyper(schema);
  const rows: Row[] = new Array<Row>(records.length);
  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    if (typeof record !== 'object' || record === null || Array.isArray(record)) throw new InputRowError(`${source}[${index}]`, 'each record must be an object of column names and values');
    rows[index] = typed(record as Readonly<Record<string, unknown>>, (name) => `${source}[${index}].${name}`);
  }
  return { columns: schema.map((c) => c.name), types: schema.map((c) => c.type), rows };
}

/**
 * One record typed (tableFromRecords types each with it; readers that stream an export use it
 * record by record); `where` names a column of it in messages. With `only`, just those columns are read and
 * the row holds just them (those of the schema at their default when absent).
 */
export function recordTyper(schema: readonly ColumnSchema[], only?: readonly string[]): (record: Readonly<Record<string, unknown>>, where: (column: string) => string) => Row {
  const types = new Map(schema.map((c) => [c.name, c.type]));
  const newRow = rowFactory(only ? schema.filter((c) => only.includes(c.name)) : schema);
  if (only) {
    return (record, where) => {
      const row = newRow();
      for (const name of only) {
        const value = record[name];
        if (value === undefined) continue;
        const type = types.get(name);
        row[name] = type === undefined ? fromJson(value) : coerce(value, type, () => where(name));
      }
      return row;
    };
  }
  return (record, where) => {
    const row = newRow();
    for (const [name, value] of Object.entries(record)) {
      const type = types.get(name);
      row[name] = type === undefined ? fromJson(value) : coerce(value, type, () => where(name));
    }
    return row;
  };
}

/**
 * A function that makes one row with every schema column at its default (null, "" for strings).
 * It is an object literal built once per schema because V8 keeps a literal's properties in the
 * object itself; a row filled key by key turns into a hash table past a dozen columns, which made
 * typing an export about ten times slower and several times larger. The names are quoted with
 * JSON.stringify, so a column name cannot become code.
 */
function rowFactory(schema: readonly ColumnSchema[]): () => Row {
  const fields = schema.map((c) => `${JSON.stringify(c.name)}: ${c.type === 'string' ? '""' : 'null'}`).join(', ');
  return new Function(`return () => ({ ${fields} });`)() as () => Row;
}

/** RFC 4180 CSV (quoted fields, "" escapes, CRLF or LF) to records keyed by the header row. */
export function parseCsv(text: string, source: string): Record<string, string>[] {
  const rows: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new InputRowError(source, 'a quoted field is not closed');
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => !(r.length === 1 && r[0] === ''));
  if (!header) return [];
  return body.map((values, index) => {
    if (values.length !== header.length) throw new InputRowError(`${source} line ${index + 2}`, `${values.length} fields, the header has ${header.length}`);
    const record: Record<string, string> = {};
    header.forEach((name, i) => (record[name] = values[i]!));
    return record;
  });
}
