/**
 * The records of a JSON export, read as its text arrives, one record at a time: never the whole
 * file as one string. It reads what `recordsOfText` reads whole (read-records.ts):
 * - a JSON array of records;
 * - an object holding them: `{ "records": [...] }` (an event hub message, an older storage blob),
 *   `{ "value": [...] }` (a Microsoft Graph response) or `{ "tables": [{ "columns": [...], "rows":
 *   [[...], ...] }] }` (a Log Analytics API response: the first table, its rows named by its columns);
 * - JSON lines: one such object (or one record) after another, as a storage account's PT1H.json.
 * Each record's text is found by a scan that only tracks strings and brackets, then parsed by
 * JSON.parse (V8's own parser, far faster than one written here). Pure apart from the records it
 * hands on; `file` is only used in messages.
 */
import { InputRowError } from '../evaluate/input-rows.js';
import { recordError } from './record-place.js';

/**
 * No record nests deeper than this (objects and arrays, the record itself counted). Entra records
 * nest six or seven levels; the bound keeps a hostile value from exhausting the stack of the code
 * that walks values (typing, parse_json, tostring), which is recursive. Our bound, not Microsoft's.
 */
export const MAX_NESTING = 128;

/** No record's text is longer than this: it would be no export record, and parsing it would hold the heap. */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** The keys of a wrapper object whose array holds the records, as `recordsOfText` unwraps them. */
const RECORD_ARRAYS = new Set(['records', 'value']);

/** Where an array or object is: before its first element, after an element, or after a comma. */
type Position = 'first' | 'next' | 'element';

type Frame =
  /** At the top: JSON lines (objects one after another), or one array. */
  | { kind: 'top'; values: number; array: boolean }
  /** An array whose elements are records (or, with `names`, rows of tables[0] to name by its columns). */
  | { kind: 'records'; at: Position; names?: string[] }
  /** An object at the top: a wrapper whose array is read record by record, or else one record whole. */
  | { kind: 'wrapper'; at: Position | 'colon' | 'value'; key?: string; start: number; line: number; streamed: boolean }
  /** The `tables` array: its first table is read, the others skipped. */
  | { kind: 'tables'; at: Position; index: number }
  /** tables[0]: its columns, then its rows. */
  | { kind: 'table'; at: Position | 'colon' | 'value'; key?: string; names?: string[]; rows: boolean };

/** A value under way: a record, or a member skipped or parsed for the reader. */
interface Value {
  /** Absolute offset of its first character, and its line. */
  start: number;
  line: number;
  /** Scan position (relative to the buffer) and bracket depth reached so far. */
  scanFrom: number;
  depth: number;
  /** Nesting outside the value, counted towards MAX_NESTING for a member of a record. */
  outer: number;
  use?: (value: unknown, line: number) => void;
}

/**
 * Feed it the file's text in pieces (`push`), then `end()`; it calls `emit` with each record and the
 * line it starts on, in file order. Throws InputRowError naming the file, the record (numbered as
 * `recordsOfText` numbers them) and its line for text that is not JSON records.
 */
export class JsonRecordScanner {
  /** Unread text; buf[0] is at absolute offset `base`. */
  private buf = '';
  private base = 0;
  private pos = 0;
  /** Lines counted up to absolute offset `countedTo`. */
  private line = 1;
  private countedTo = 0;
  private readonly stack: Frame[] = [{ kind: 'top', values: 0, array: false }];
  private value: Value | undefined;
  private records = 0;
  private ended = false;

  constructor(
    private readonly file: string,
    private readonly emit: (record: unknown, line: number) => void,
    private readonly maxRecordChars = MAX_RECORD_CHARS,
  ) {}

  /** How many records were handed on. */
  get count(): number {
    return this.records;
  }

  push(text: string): void {
    this.buf = this.buf.length === 0 ? text : this.buf + text;
    this.scan();
    this.compact();
  }

  end(): void {
    this.ended = true;
    this.scan();
    if (this.value?.use === this.recordUse || this.value?.use === this.rowUse) {
      throw recordError(this.file, this.records, this.value.line, `the file ends inside this record, before it is closed: the file is cut short`);
    }
    const record = this.stack.find((frame): frame is Extract<Frame, { kind: 'wrapper' }> => frame.kind === 'wrapper' && !frame.streamed);
    if (record) throw recordError(this.file, this.records, record.line, 'the file ends inside this record, before it is closed: the file is cut short');
    if (this.value || this.stack.length > 1) {
      throw new InputRowError(this.file, `the file ends before its JSON is closed (after ${this.records} record${this.records === 1 ? '' : 's'}, on line ${this.lineAt(this.base + this.buf.length)}): the file is cut short`);
    }
    const top = this.stack[0] as Extract<Frame, { kind: 'top' }>;
    if (top.values === 0) throw new InputRowError(this.file, 'no JSON in the file; give a JSON array of records, JSON lines, or a CSV file named *.csv');
  }

  /** Drops the text already read, keeping what an unfinished value or record object still needs. */
  private compact(): void {
    let keep = this.pos;
    if (this.value) keep = Math.min(keep, this.value.start - this.base);
    for (const frame of this.stack) if (frame.kind === 'wrapper' && !frame.streamed) keep = Math.min(keep, frame.start - this.base);
    if (this.buf.length - keep > this.maxRecordChars) {
      throw recordError(this.file, this.records, this.value?.line, `longer than ${sizeText(this.maxRecordChars)} of text: not an export record`);
    }
    if (keep <= 0) return;
    this.lineAt(this.base + keep);
    this.buf = this.buf.slice(keep);
    this.base += keep;
    this.pos -= keep;
    if (this.value) this.value.scanFrom -= keep;
  }

  /** The line of an absolute offset at or after the last one asked for (newlines are counted once). */
  private lineAt(offset: number): number {
    const from = this.countedTo - this.base;
    const to = offset - this.base;
    if (to > from) {
      for (let at = this.buf.indexOf('\n', from); at !== -1 && at < to; at = this.buf.indexOf('\n', at + 1)) this.line++;
      this.countedTo = offset;
    }
    return this.line;
  }

  private fail(message: string): never {
    throw new InputRowError(`${this.file} line ${this.lineAt(this.base + this.pos)}`, `not JSON records: ${message}; give a JSON array of records, JSON lines, or a CSV file named *.csv`);
  }

  private scan(): void {
    for (;;) {
      if (this.value) {
        if (!this.finishValue(this.value)) return;
        continue;
      }
      const buf = this.buf;
      let at = this.pos;
      while (at < buf.length && isSpace(buf.charCodeAt(at))) at++;
      this.pos = at;
      if (at >= buf.length) return;
      if (!this.step(buf.charCodeAt(at))) return;
    }
  }

  /** One structural step at a character that is not white space; false when more text is needed. */
  private step(c: number): boolean {
    const frame = this.stack[this.stack.length - 1]!;
    switch (frame.kind) {
      case 'top':
        if (frame.array) this.fail('more text after the array of records');
        frame.values++;
        if (c === OPEN_BRACKET) {
          if (frame.values > 1) this.fail('an array after JSON lines');
          frame.array = true;
          this.pos++;
          this.stack.push({ kind: 'records', at: 'first' });
          return true;
        }
        if (c !== OPEN_BRACE) this.fail(`${JSON.stringify(String.fromCharCode(c))} where a record or an array of records begins`);
        this.stack.push({ kind: 'wrapper', at: 'first', start: this.base + this.pos, line: this.lineAt(this.base + this.pos), streamed: false });
        this.pos++;
        return true;
      case 'records':
      case 'tables':
        if (this.arrayPunctuation(frame, c)) return true;
        if (frame.kind === 'records') return this.startValue(frame.names ? this.rowUse : this.recordUse, 0);
        if (frame.index++ > 0) return this.startValue(undefined, 2);
        if (c !== OPEN_BRACE) this.fail('tables[0] is not an object with columns and rows');
        this.pos++;
        this.stack.push({ kind: 'table', at: 'first', rows: false });
        return true;
      case 'wrapper':
      case 'table':
        return this.objectStep(frame, c);
    }
  }

  /** `]` and `,` of an array; true when the character was one of them. */
  private arrayPunctuation(frame: Extract<Frame, { at: Position }>, c: number): boolean {
    if (c === CLOSE_BRACKET && frame.at !== 'element') {
      this.pos++;
      this.stack.pop();
      this.afterValue();
      return true;
    }
    if (frame.at === 'next') {
      if (c !== COMMA) this.fail(frame.kind === 'records' ? `expected , or ] after record ${this.records - 1}` : 'expected , or ] between tables');
      frame.at = 'element';
      this.pos++;
      return true;
    }
    if (c === CLOSE_BRACKET || c === COMMA) this.fail(`${String.fromCharCode(c)} where an element belongs`);
    frame.at = 'next';
    return false;
  }

  /** A step inside an object whose members are read: a wrapper at the top, or tables[0]. */
  private objectStep(frame: Extract<Frame, { kind: 'wrapper' | 'table' }>, c: number): boolean {
    switch (frame.at) {
      case 'first':
      case 'element':
        if (c === CLOSE_BRACE && frame.at === 'first') return this.closeObject(frame);
        if (c !== QUOTE) this.fail('expected a member name in quotes');
        return this.readKey(frame);
      case 'colon':
        if (c !== COLON) this.fail(`expected : after the member name ${JSON.stringify(frame.key)}`);
        frame.at = 'value';
        this.pos++;
        return true;
      case 'next':
        if (c === CLOSE_BRACE) return this.closeObject(frame);
        if (c !== COMMA) this.fail('expected , or } between the members of an object');
        frame.at = 'element';
        this.pos++;
        return true;
      case 'value':
        break;
    }
    const key = frame.key!;
    frame.at = 'next';
    if (frame.kind === 'wrapper') {
      if (!frame.streamed && c === OPEN_BRACKET && (RECORD_ARRAYS.has(key) || key === 'tables')) {
        frame.streamed = true;
        this.pos++;
        this.stack.push(key === 'tables' ? { kind: 'tables', at: 'first', index: 0 } : { kind: 'records', at: 'first' });
        return true;
      }
      return this.startValue(undefined, 1);
    }
    if (key === 'columns') {
      if (frame.rows) this.fail('the rows of tables[0] come before its columns; give the columns first, as the Log Analytics API writes them');
      return this.startValue((value) => {
        if (!Array.isArray(value)) this.fail('tables[0].columns is not an array');
        frame.names = value.map((column) => String((column as { name?: unknown } | null)?.name));
      }, 3);
    }
    if (key === 'rows' && c === OPEN_BRACKET) {
      if (!frame.names) this.fail('the rows of tables[0] come before its columns; give the columns first, as the Log Analytics API writes them');
      frame.rows = true;
      this.pos++;
      this.stack.push({ kind: 'records', at: 'first', names: frame.names });
      return true;
    }
    return this.startValue(undefined, 3);
  }

  private readKey(frame: Extract<Frame, { kind: 'wrapper' | 'table' }>): boolean {
    const end = closingQuote(this.buf, this.pos + 1);
    if (end === -1) return false;
    const raw = this.buf.slice(this.pos + 1, end);
    if (raw.includes('\\')) {
      try {
        frame.key = JSON.parse(`"${raw}"`) as string;
      } catch {
        this.fail(`the member name "${raw}" is not a valid JSON string`);
      }
    } else frame.key = raw;
    frame.at = 'colon';
    this.pos = end + 1;
    return true;
  }

  private closeObject(frame: Extract<Frame, { kind: 'wrapper' | 'table' }>): boolean {
    this.pos++;
    this.stack.pop();
    if (frame.kind === 'table') {
      if (!frame.rows) this.fail('tables[0] has no rows after its columns');
    } else if (!frame.streamed) {
      // No wrapper: the object is a record (a line of JSON lines, or a file of one record),
      // unwrapped as recordsOfText does.
      const value = this.parse(this.buf.slice(frame.start - this.base, this.pos), frame.line);
      for (const record of unwrapObject(value)) this.emitRecord(record, frame.line);
    }
    this.afterValue();
    return true;
  }

  private afterValue(): void {
    const frame = this.stack[this.stack.length - 1]!;
    if (frame.kind !== 'top') frame.at = 'next';
  }

  private readonly recordUse = (record: unknown, line: number): void => this.emitRecord(record, line);

  private readonly rowUse = (row: unknown, line: number): void => {
    if (!Array.isArray(row)) throw recordError(this.file, this.records, line, 'a row of tables[0].rows is not an array of values');
    const names = (this.stack[this.stack.length - 1] as Extract<Frame, { kind: 'records' }>).names!;
    const record: Record<string, unknown> = {};
    names.forEach((name, i) => (record[name] = row[i]));
    this.emitRecord(record, line);
  };

  /** Starts the value at pos: a record (`use`), a member parsed for the reader, or one skipped. */
  private startValue(use: Value['use'], outer: number): boolean {
    const start = this.base + this.pos;
    this.value = { start, line: this.lineAt(start), scanFrom: this.pos, depth: 0, outer, ...(use ? { use } : {}) };
    return true;
  }

  /** Scans the value under way to its end; false when more text is needed. */
  private finishValue(value: Value): boolean {
    const buf = this.buf;
    const begin = value.start - this.base;
    const first = buf.charCodeAt(begin);
    let at = value.scanFrom;
    let end = -1;
    if (first === QUOTE) {
      end = closingQuote(buf, begin + 1);
      if (end !== -1) end++;
      else at = buf.length;
    } else if (first === OPEN_BRACE || first === OPEN_BRACKET) {
      let depth = value.depth;
      const limit = MAX_NESTING - value.outer;
      while (at < buf.length) {
        const c = buf.charCodeAt(at);
        if (c === QUOTE) {
          const close = closingQuote(buf, at + 1);
          if (close === -1) break;
          at = close + 1;
          continue;
        }
        if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          if (++depth > limit) throw recordError(this.file, this.records, value.line, `nests objects and arrays deeper than ${MAX_NESTING} levels: not an export record`);
        } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
          if (--depth === 0) {
            end = at + 1;
            break;
          }
        }
        at++;
      }
      value.depth = depth;
    } else {
      // A number, true, false or null: up to the next delimiter.
      while (at < buf.length) {
        const c = buf.charCodeAt(at);
        if (c === COMMA || c === CLOSE_BRACKET || c === CLOSE_BRACE || isSpace(c)) break;
        at++;
      }
      if (at < buf.length || this.ended) end = at;
    }
    if (end === -1) {
      value.scanFrom = at;
      return false;
    }
    this.pos = end;
    this.value = undefined;
    if (value.use) value.use(this.parse(buf.slice(begin, end), value.line), value.line);
    this.afterValue();
    return true;
  }

  private parse(text: string, line: number): unknown {
    try {
      return JSON.parse(text);
    } catch (error) {
      throw recordError(this.file, this.records, line, `not valid JSON (${error instanceof Error ? error.message : String(error)})`);
    }
  }

  private emitRecord(record: unknown, line: number): void {
    this.emit(record, line);
    this.records++;
  }
}

/** A size in characters as people read it: 64 MiB. */
export function sizeText(chars: number): string {
  return chars >= 1024 * 1024 ? `${chars / 1024 / 1024} MiB` : `${chars} characters`;
}

/** A top-level object read whole, unwrapped as recordsOfText does (an event hub message on one line of JSON lines). */
function unwrapObject(value: unknown): unknown[] {
  const object = value as Record<string, unknown>;
  if (Array.isArray(object['records'])) return object['records'];
  if (Array.isArray(object['value'])) return object['value'];
  return [object];
}

/** The index of the quote closing a string whose text starts at `from`; -1 when it is not in `text` yet. */
function closingQuote(text: string, from: number): number {
  for (let at = text.indexOf('"', from); at !== -1; at = text.indexOf('"', at + 1)) {
    let slashes = 0;
    for (let back = at - 1; back >= from && text.charCodeAt(back) === BACKSLASH; back--) slashes++;
    if (slashes % 2 === 0) return at;
  }
  return -1;
}

/**
 * Whether JSON text (a CSV cell, a string column holding JSON) nests deeper than `limit`: checked
 * before such text becomes a dynamic value. A text no longer than the limit cannot, so the common
 * short cell costs one comparison.
 */
export function nestsDeeperThan(text: string, limit = MAX_NESTING): boolean {
  if (text.length <= limit) return false;
  let depth = 0;
  let inString = false;
  for (let at = 0; at < text.length; at++) {
    const c = text.charCodeAt(at);
    if (inString) {
      if (c === BACKSLASH) at++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}
