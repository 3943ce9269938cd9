import { compileQuery, type CompiledQuery } from '../evaluate/evaluate-query.js';
import { EvaluationError } from '../evaluate/evaluation-error.js';

/**
 * Queries compiled for the evaluator, per Kusto global state, by query text. Compiling parses and
 * analyses the text with Kusto.Language, the slow part of `test`, `preview` and a replay; a compiled
 * query keeps no state between runs, and a process that tests the same rules again (the test
 * suite, preview after test) asks for the same texts. Bounded, oldest out first.
 */
const compiled = new WeakMap<Kusto.Language.GlobalState, Map<string, CompiledQuery | EvaluationError>>();
const MAX_REMEMBERED = 500;

/** compileQuery, remembered: throws the same EvaluationError for a query it cannot compile. */
export function compiledQuery(text: string, globals: Kusto.Language.GlobalState): CompiledQuery {
  let memo = compiled.get(globals);
  if (!memo) compiled.set(globals, (memo = new Map()));
  let entry = memo.get(text);
  if (entry === undefined) {
    try {
      entry = compileQuery(text, globals);
    } catch (error) {
      if (!(error instanceof EvaluationError)) throw error;
      entry = error;
    }
    if (memo.size >= MAX_REMEMBERED) memo.delete(memo.keys().next().value!);
    memo.set(text, entry);
  }
  if (entry instanceof EvaluationError) throw entry;
  return entry;
}
