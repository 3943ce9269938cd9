import type { QueryResult } from '../../../generator/index.js';
import { cellText, docDateTimeTicks, docTimespanTicks, headerText, isElision, parseDocJson, type DocJson } from './doc-values.js';
import { unmatchedExpected } from '../../../generator/rule-tests/row-matching.js';

/**
 * Does a result equal the output a documentation page prints for the query? Only presentation is
 * normalised: number formats (thousands separators; a real is compared to the digits the page
 * shows, as the cases' README says pages round), datetime and timespan formats, JSON quoting and
 * spacing, bool as true/True/1, the order of columns (matched by name) and of rows where the query
 * does not sort them. Values, types, column names and row counts are compared as they are.
 */
export interface ExpectedOutput {
  header: string[];
  rows: string[][];
}

export type Verdict = { equal: true } | { equal: false; why: string };

const ok: Verdict = { equal: true };
const differs = (why: string): Verdict => ({ equal: false, why });

/** True when the query sorts its final rows, so that their order is part of the answer. */
export function sortsRows(query: string): boolean {
  return /\b(order|sort)\s+by\b/i.test(query) || /\|\s*top\s+[\w(]/i.test(query);
}

export function compareOutput(result: QueryResult, expected: ExpectedOutput, ordered: boolean, shownColumnsOnly = false): Verdict {
  const header = expected.header.map(headerText);
  const names = result.columns.map((c) => c.name);
  if (shownColumnsOnly && !header.every((h) => names.includes(h))) return differs(`columns: expected [${header.join(', ')}] among [${names.join(', ')}]`);
  if (!shownColumnsOnly && (header.length !== names.length || [...header].sort().join('\u0000') !== [...names].sort().join('\u0000'))) {
    return differs(`columns: expected [${header.join(', ')}], got [${names.join(', ')}]`);
  }
  // Where each expected column stands in the result.
  const used = new Set<number>();
  const positions = header.map((name) => {
    const index = names.findIndex((n, i) => n === name && !used.has(i));
    used.add(index);
    return index;
  });
  const expectedRows = expected.rows.filter((row) => !row.every((cell) => isElision(cellText(cell))));
  const elided = expectedRows.length !== expected.rows.length;
  const rowMatches = (want: string[], got: unknown[]) => want.every((cell, i) => cellMatches(got[positions[i]!], result.columns[positions[i]!]!.type, cell));
  if (ordered && !elided) {
    if (result.rows.length !== expectedRows.length) return differs(`expected ${expectedRows.length} rows, got ${result.rows.length}: ${JSON.stringify(result.rows.slice(0, 5))}`);
    for (let r = 0; r < expectedRows.length; r++) {
      if (!rowMatches(expectedRows[r]!, result.rows[r]!)) return differs(`row ${r + 1}: expected ${JSON.stringify(expectedRows[r])}, got ${JSON.stringify(result.rows[r])}`);
    }
    return ok;
  }
  if (!elided && result.rows.length !== expectedRows.length) return differs(`expected ${expectedRows.length} rows, got ${result.rows.length}: ${JSON.stringify(result.rows.slice(0, 5))}`);
  // Every expected row needs a result row of its own.
  const unmatched = unmatchedExpected(expectedRows.length, result.rows.length, (e, a) => rowMatches(expectedRows[e]!, result.rows[a]!));
  if (unmatched.length > 0) return differs(`no result row matches expected row ${JSON.stringify(expectedRows[unmatched[0]!])}; got ${JSON.stringify(result.rows.slice(0, 8))}`);
  return ok;
}

const NULL_TEXT = new Set(['', 'null', '(null)']);

function cellMatches(actual: unknown, type: string, raw: string): boolean {
  const text = cellText(raw);
  if (isElision(text)) return true;
  switch (type) {
    case 'string':
      // A table cell cannot show a string's leading or trailing spaces.
      return typeof actual === 'string' && (actual.trim() === text || sameJsonText(actual, text));
    case 'bool':
    case 'boolean':
      if (NULL_TEXT.has(text)) return actual === null;
      return /^(true|1)$/i.test(text) ? actual === true : /^(false|0)$/i.test(text) ? actual === false : false;
    case 'int':
    case 'long':
      if (NULL_TEXT.has(text)) return actual === null;
      return integerMatches(actual, text);
    case 'real':
    case 'double':
    case 'decimal':
      if (NULL_TEXT.has(text)) return actual === null;
      return realMatches(actual, text);
    case 'datetime':
    case 'date': {
      if (NULL_TEXT.has(text)) return actual === null;
      const want = docDateTimeTicks(text);
      return want !== undefined && typeof actual === 'string' && docDateTimeTicks(actual) === want;
    }
    case 'timespan':
    case 'time': {
      if (NULL_TEXT.has(text)) return actual === null;
      const want = docTimespanTicks(text);
      return want !== undefined && typeof actual === 'string' && docTimespanTicks(actual) === want;
    }
    case 'guid':
      if (NULL_TEXT.has(text)) return actual === null;
      return typeof actual === 'string' && actual.toLowerCase() === text.toLowerCase();
    default: {
      if (NULL_TEXT.has(text)) return actual === null;
      const parsed = parseDocJson(text);
      if (parsed && jsonMatches(actual, parsed)) return true;
      // A dynamic value that holds a string prints without quotes.
      return typeof actual === 'string' && actual === text;
    }
  }
}

const JSON_TOKEN = /"(?:[^"\\]|\\.)*"|-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|true|false|null|[{}[\],:]|\S/g;

/**
 * A string holding JSON text (tostring() of a dynamic value) against the page's text: the same
 * tokens in the same order, whatever the spacing, with numbers compared as numbers to the digits
 * the page shows (40.796860 is 40.79686). Key and element order still count.
 */
function sameJsonText(actual: string, text: string): boolean {
  if (!/^[[{]/.test(actual.trim()) || !/^[[{]/.test(text)) return false;
  const a = actual.match(JSON_TOKEN) ?? [];
  const b = text.match(JSON_TOKEN) ?? [];
  if (a.length !== b.length) return false;
  return a.every((token, i) => {
    const want = b[i]!;
    if (token === want) return true;
    return /^-?[\d.]/.test(token) && /^-?[\d.]/.test(want) && realMatches(Number(token), want);
  });
}

/** Thousands separators are presentation: 1,048,576 is 1048576. */
function plainNumber(text: string): string {
  return /^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(text) ? text.replace(/,/g, '') : text;
}

function integerMatches(actual: unknown, raw: string): boolean {
  const text = plainNumber(raw);
  if (!/^-?\d+$/.test(text)) return false;
  if (typeof actual === 'number') return Number.isInteger(actual) && BigInt(actual) === BigInt(text);
  return typeof actual === 'string' && /^-?\d+$/.test(actual) && BigInt(actual) === BigInt(text);
}

/**
 * A real equals the page's number when it rounds to the digits the page shows: within half a unit
 * of the last shown decimal, or of the 15th significant digit (how .NET prints a double by default).
 */
function realMatches(actual: unknown, raw: string): boolean {
  const text = plainNumber(raw);
  const value = typeof actual === 'number' ? actual : typeof actual === 'string' ? Number(actual) : Number.NaN;
  if (/^nan$/i.test(text)) return actual === 'NaN';
  if (/^-?(infinity|∞)$/i.test(text)) return actual === (text.startsWith('-') ? '-Infinity' : 'Infinity');
  if (!/^-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || !Number.isFinite(value)) return false;
  const want = Number(text);
  const decimals = /[eE]/.test(text) ? undefined : (text.split('.')[1] ?? '').length;
  const shown = decimals === undefined ? Math.abs(want) * 5e-15 : 0.5 * 10 ** -decimals;
  const fifteenth = want === 0 ? 0 : 0.5 * 10 ** (Math.floor(Math.log10(Math.abs(want))) - 14);
  return Math.abs(value - want) <= Math.max(shown, fifteenth) * (1 + 1e-9);
}

function jsonMatches(actual: unknown, want: DocJson): boolean {
  switch (want.kind) {
    case 'ellipsis':
      return true;
    case 'null':
      return actual === null;
    case 'bool':
      return actual === want.value;
    case 'number':
      if (typeof actual === 'string' && !/^-?\d+$/.test(actual) && actual !== 'NaN') return false;
      if (/^-?\d+$/.test(want.text) && want.text.replace('-', '').length > 15) return integerMatches(actual, want.text);
      return realMatches(actual, want.text);
    case 'string': {
      if (typeof actual !== 'string') return false;
      if (actual === want.value) return true;
      const when = docDateTimeTicks(want.value.replace(/Z$/, ''));
      if (when !== undefined && docDateTimeTicks(actual.replace(/Z$/, '')) === when) return true;
      const span = docTimespanTicks(want.value);
      return span !== undefined && docTimespanTicks(actual) === span;
    }
    case 'array':
      return Array.isArray(actual) && arrayMatches(actual, want.items);
    case 'object': {
      if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
      const bag = actual as Record<string, unknown>;
      const open = want.entries.some(([, v]) => v.kind === 'ellipsis');
      const listed = want.entries.filter(([, v]) => v.kind !== 'ellipsis');
      if (!open && Object.keys(bag).length !== listed.length) return false;
      return listed.every(([key, value]) => Object.hasOwn(bag, key) && jsonMatches(bag[key], value));
    }
  }
}

/** Element by element; an elision in the page's array stands for any run of elements. */
function arrayMatches(actual: readonly unknown[], want: readonly DocJson[]): boolean {
  const match = (a: number, w: number): boolean => {
    if (w === want.length) return a === actual.length;
    if (want[w]!.kind === 'ellipsis') {
      for (let skip = a; skip <= actual.length; skip++) if (match(skip, w + 1)) return true;
      return false;
    }
    return a < actual.length && jsonMatches(actual[a], want[w]!) && match(a + 1, w + 1);
  };
  return match(0, 0);
}
