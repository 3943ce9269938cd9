/**
 * Why a query could not be evaluated. It never passes silently; its `code` says whose problem it is:
 * - `unsupported`: valid Kusto the offline engine does not implement; the message names the construct;
 * - `invalid`: Kusto itself refuses the query (Kusto.Language's diagnostics), or would fail running it;
 * - `internal`: the engine (or Kusto.Language) failed inside; the query may be fine.
 */
export type EvaluationErrorCode = 'unsupported' | 'invalid' | 'internal';

/** One error diagnostic of Microsoft's Kusto.Language, as an invalid query gets it. */
export interface QueryDiagnostic {
  code: string;
  message: string;
  /** 1-based position in the query text. */
  line: number;
  column: number;
}

export interface EvaluationErrorDetails {
  code?: EvaluationErrorCode;
  /** 1-based position in the query text, when known. */
  line?: number;
  column?: number;
  diagnostics?: readonly QueryDiagnostic[];
}

export class EvaluationError extends Error {
  readonly code: EvaluationErrorCode;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly diagnostics: readonly QueryDiagnostic[];

  constructor(message: string, details: EvaluationErrorDetails = {}) {
    super(details.line !== undefined ? `${message} (query line ${details.line}, column ${details.column})` : message);
    this.name = 'EvaluationError';
    this.code = details.code ?? 'invalid';
    this.line = details.line;
    this.column = details.column;
    this.diagnostics = details.diagnostics ?? [];
  }
}
