import type { QueryResult } from './api-types.js';
import type { ResultColumn } from './syntax.js';
import type { Table } from './table.js';
import { formatDateTime, formatTimespan, KDateTime, KTimespan, type KValue } from './values.js';

/**
 * One value as JSON: datetimes as ISO 8601 with seven fractional digits and Z, timespans as
 * Kusto prints them ([-][d.]hh:mm:ss[.fffffff]), dynamic as plain JSON, a long beyond 2^53 as its
 * exact decimal text, real NaN and infinities as "NaN", "Infinity" and "-Infinity" (Kusto's JSON).
 */
export function jsonValue(value: KValue): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof KDateTime) return formatDateTime(value);
  if (value instanceof KTimespan) return formatTimespan(value);
  if (Array.isArray(value)) return value.map(jsonValue);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) Object.defineProperty(out, key, { value: jsonValue(inner), enumerable: true, writable: true, configurable: true });
  return out;
}

/** The table with its column types (the analyser's where it knows them) and JSON-shaped rows. */
export function queryResult(table: Table, analysed: readonly ResultColumn[]): QueryResult {
  const types = new Map(analysed.map((c) => [c.name, c.type]));
  const columns = table.columns.map((name, i) => ({ name, type: table.types?.[i] ?? types.get(name) ?? 'dynamic' }));
  return { columns, rows: table.rows.map((row) => table.columns.map((name) => jsonValue(row[name] ?? null))) };
}
