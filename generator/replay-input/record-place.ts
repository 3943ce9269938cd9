import { InputRowError } from '../evaluate/input-rows.js';

/**
 * Where a record is, for messages: `file[index]` (0-based, as `recordsOfText` numbers records and
 * as a JSON path reads), then the line it starts on when the reader knows it.
 */
export function recordError(file: string, index: number, line: number | undefined, message: string): InputRowError {
  return new InputRowError(`${file}[${index}]`, line === undefined ? message : `${message} (line ${line})`);
}

/** The same error with the record's line added (errors raised where the line is not known). */
export function withLine(error: InputRowError, line: number | undefined): InputRowError {
  if (line === undefined) return error;
  const message = error.message.startsWith(`${error.where}: `) ? error.message.slice(error.where.length + 2) : error.message;
  return new InputRowError(error.where, `${message} (line ${line})`);
}
