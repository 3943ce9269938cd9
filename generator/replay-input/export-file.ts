/**
 * An export file read record by record as it streams from disk, at any size: JSON (an array,
 * a wrapper object, JSON lines) or CSV, told apart as `recordsOfText` tells them (a name ending in
 * .csv, or text that starts with neither `{` nor `[`). The file's I/O lives here; the scanners are pure.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { CsvRecordScanner } from './csv-records.js';
import { JsonRecordScanner } from './json-records.js';

/** Records as they came, in file order: records[k] is record number first + k, starting on lines[k]. */
export interface RecordBatch {
  first: number;
  records: unknown[];
  lines: number[];
}

/** The file cannot be read at all (missing, a folder, no permission). */
export class ExportFileError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot read the events file ${file}: ${reason}`);
  }
}

export interface ExportReadOptions {
  /** Characters read at a time (default 1 MiB): a batch of records per piece of text. */
  chunkBytes?: number;
  /** Bytes read so far of the file's size, after each piece. */
  onBytes?: (read: number, size: number) => void;
}

function reason(error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') return 'no such file';
  if (error.code === 'EISDIR') return 'it is a folder';
  if (error.code === 'EACCES') return 'permission denied';
  return error.message;
}

const isSystemError = (error: unknown): error is NodeJS.ErrnoException => error instanceof Error && typeof (error as NodeJS.ErrnoException).code === 'string' && typeof (error as NodeJS.ErrnoException).syscall === 'string';

/** The file's records, a batch per piece of text read; `file` names it in messages. */
export async function* exportRecords(path: string, file: string, options: ExportReadOptions = {}): AsyncGenerator<RecordBatch> {
  const size = await stat(path).then(
    (s) => {
      if (s.isDirectory()) throw new ExportFileError(file, 'it is a folder');
      return s.size;
    },
    (error: NodeJS.ErrnoException) => {
      throw new ExportFileError(file, reason(error));
    },
  );
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: options.chunkBytes ?? 1 << 20 });
  let batch: RecordBatch = { first: 0, records: [], lines: [] };
  const take = (record: unknown, line: number) => {
    batch.records.push(record);
    batch.lines.push(line);
  };
  const csv = /\.csv$/i.test(file);
  let scanner: JsonRecordScanner | CsvRecordScanner | undefined = csv ? new CsvRecordScanner(file, take) : undefined;
  // Text before the format is known (white space at the start of a file that is not *.csv).
  let head = '';
  let first = true;
  const flush = (): RecordBatch | undefined => {
    if (batch.records.length === 0) return undefined;
    const full = batch;
    batch = { first: full.first + full.records.length, records: [], lines: [] };
    return full;
  };
  try {
    for await (const piece of stream as AsyncIterable<string>) {
      let text = piece;
      if (first) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      if (!scanner) {
        head += text;
        const lead = /\S/.exec(head)?.[0];
        if (lead === undefined) continue;
        scanner = lead === '{' || lead === '[' ? new JsonRecordScanner(file, take) : new CsvRecordScanner(file, take);
        text = head;
        head = '';
      }
      scanner.push(text);
      options.onBytes?.(stream.bytesRead, size);
      const full = flush();
      if (full) yield full;
    }
  } catch (error) {
    if (isSystemError(error)) throw new ExportFileError(file, reason(error));
    throw error;
  } finally {
    stream.destroy();
  }
  scanner ??= new JsonRecordScanner(file, take);
  if (head !== '') scanner.push(head);
  scanner.end();
  const full = flush();
  if (full) yield full;
}
