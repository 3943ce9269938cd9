/**
 * Why a query could not be evaluated: something outside the supported set, or a runtime problem.
 * It names the construct and where it stands in the query text, never passes silently.
 */
export class EvaluationError extends Error {
  constructor(
    message: string,
    /** 1-based position in the query text, when known. */
    readonly line?: number,
    readonly column?: number,
  ) {
    super(line !== undefined ? `${message} (query line ${line}, column ${column})` : message);
    this.name = 'EvaluationError';
  }
}
