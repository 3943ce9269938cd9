/**
 * The records of a CSV export, read as its text arrives, row by row: RFC 4180 (a header row, fields
 * quoted when they hold a comma, a quote or a line break, quotes inside doubled, CRLF or LF), as the
 * Log Analytics portal and the Entra admin center write it. Records are keyed by the header, as
 * `recordsOfText` reads a CSV whole: an empty cell is no value, a blank line is no record. Stricter
 * than that reader on one point: a quoted field must end where its closing quote is (`"a"b` is a
 * quote that was not doubled, which a spreadsheet would read differently), so it stops instead of
 * guessing. Pure apart from the records it hands on; `file` is only used in messages.
 */
import { InputRowError } from '../evaluate/input-rows.js';
import { recordError } from './record-place.js';
import { MAX_RECORD_CHARS, sizeText } from './json-records.js';

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/** A row's fields and where the next row starts; undefined when the text ends inside the row. */
type Row = { fields: string[]; next: number } | undefined;

export class CsvRecordScanner {
  private buf = '';
  private pos = 0;
  /** The line the row at `pos` starts on. */
  private line = 1;
  private header: string[] | undefined;
  private duplicates = false;
  private records = 0;
  private ended = false;

  constructor(
    private readonly file: string,
    private readonly emit: (record: Record<string, string>, line: number) => void,
    private readonly maxRecordChars = MAX_RECORD_CHARS,
  ) {}

  get count(): number {
    return this.records;
  }

  push(text: string): void {
    this.buf = this.pos === this.buf.length ? text : this.buf.slice(this.pos) + text;
    this.pos = 0;
    this.nextCr = -2;
    this.scan();
    if (this.buf.length - this.pos > this.maxRecordChars) throw this.rowError(`longer than ${sizeText(this.maxRecordChars)} of text: a quoted field may not be closed`);
  }

  end(): void {
    this.ended = true;
    this.scan();
  }

  private scan(): void {
    while (this.pos < this.buf.length) {
      const start = this.pos;
      const row = this.row(start);
      if (!row) return;
      this.pos = row.next;
      const line = this.line;
      this.line += this.lineBreaks(start, row.next);
      // A blank line is no row.
      if (row.fields.length === 1 && row.fields[0] === '') continue;
      if (!this.header) {
        this.header = row.fields;
        this.duplicates = new Set(row.fields).size !== row.fields.length;
        continue;
      }
      this.emit(this.record(row.fields, line), line);
      this.records++;
    }
  }

  private record(fields: readonly string[], line: number): Record<string, string> {
    const header = this.header!;
    if (fields.length !== header.length) throw recordError(this.file, this.records, line, `${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${header.length}`);
    const record: Record<string, string> = {};
    for (let i = 0; i < header.length; i++) {
      const value = fields[i]!;
      if (value !== '') record[header[i]!] = value;
      // With a header named twice the last cell counts, empty or not (as recordsOfText reads it).
      else if (this.duplicates) delete record[header[i]!];
    }
    return record;
  }

  /** The next CR at or after the last row read (-1: none in the text), so that LF files are not searched again per row. */
  private nextCr = -2;

  /** Line breaks in buf[from, to): LF, CRLF and a lone CR each count once. */
  private lineBreaks(from: number, to: number): number {
    const buf = this.buf;
    let count = 0;
    for (let at = buf.indexOf('\n', from); at !== -1 && at < to; at = buf.indexOf('\n', at + 1)) count++;
    if (this.nextCr !== -1 && this.nextCr < from) this.nextCr = buf.indexOf('\r', from);
    while (this.nextCr !== -1 && this.nextCr < to) {
      if (buf.charCodeAt(this.nextCr + 1) !== LF) count++;
      this.nextCr = buf.indexOf('\r', this.nextCr + 1);
    }
    return count;
  }

  /** Where the row being read is, for a message. */
  private rowError(message: string): InputRowError {
    return this.header ? recordError(this.file, this.records, this.line, message) : new InputRowError(`${this.file} line ${this.line}`, `the header row: ${message}`);
  }

  /** The row starting at `at`. */
  private row(at: number): Row {
    const buf = this.buf;
    const n = buf.length;
    const fields: string[] = [];
    for (;;) {
      if (at < n && buf.charCodeAt(at) === QUOTE) {
        let value = '';
        let from = at + 1;
        for (;;) {
          const quote = buf.indexOf('"', from);
          if (quote === -1 || (quote + 1 >= n && !this.ended)) {
            if (!this.ended) return undefined;
            throw this.rowError(`a quoted field is not closed before the file ends: the file is cut short, or a quote in a field is not doubled ("")`);
          }
          if (buf.charCodeAt(quote + 1) === QUOTE) {
            value += `${buf.slice(from, quote)}"`;
            from = quote + 2;
            continue;
          }
          value += buf.slice(from, quote);
          at = quote + 1;
          break;
        }
        fields.push(value);
        if (at >= n) return { fields, next: at };
        const c = buf.charCodeAt(at);
        if (c === COMMA) {
          at++;
          continue;
        }
        if (c === CR || c === LF) return this.rowEnd(fields, at);
        throw this.rowError(`a quoted field is followed by ${JSON.stringify(buf.slice(at, at + 10))} where a comma or the end of the line belongs: a quote inside a quoted field must be doubled ("")`);
      }
      let end = at;
      while (end < n) {
        const c = buf.charCodeAt(end);
        if (c === COMMA || c === CR || c === LF) break;
        end++;
      }
      if (end >= n && !this.ended) return undefined;
      fields.push(buf.slice(at, end));
      if (end >= n) return { fields, next: end };
      if (buf.charCodeAt(end) === COMMA) {
        at = end + 1;
        continue;
      }
      return this.rowEnd(fields, end);
    }
  }

  /** The row ends at a CR, LF or CRLF at `at`. */
  private rowEnd(fields: string[], at: number): Row {
    if (this.buf.charCodeAt(at) === CR) {
      if (at + 1 >= this.buf.length && !this.ended) return undefined;
      if (this.buf.charCodeAt(at + 1) === LF) return { fields, next: at + 2 };
    }
    return { fields, next: at + 1 };
  }
}

