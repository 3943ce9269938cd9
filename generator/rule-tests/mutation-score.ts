import { EvaluationError } from '../evaluate/evaluation-error.js';
import { queryMutations, type Mutation } from './mutations.js';
import { runCase, type CaseRunContext, type PreparedCase } from './rule-cases.js';
import { compileForCases } from './test-rules.js';

export interface MutationOutcome extends Omit<Mutation, 'text'> {
  /** A case failed on the broken query: the cases notice this break. */
  killed: boolean;
  /** The broken query does not compile (never counted as noticed). */
  invalid: boolean;
}

/**
 * Breaks the rule's query filter by filter and runs its cases on each broken query. A break that
 * no case notices is a gap in the cases (or a filter that does nothing). Pure.
 */
export function mutationOutcomes(context: CaseRunContext, cases: readonly PreparedCase[], globals: Kusto.Language.GlobalState): MutationOutcome[] {
  const { rule } = context;
  return queryMutations(rule.query.text, globals).map(({ text, ...mutation }) => {
    const query = compileForCases({ ...rule, query: { ...rule.query, text } }, globals);
    if (query instanceof EvaluationError) return { ...mutation, killed: false, invalid: true };
    const killed = cases.some((prepared) => prepared.state === 'ready' && runCase(prepared, query, context).status === 'failed');
    return { ...mutation, killed, invalid: false };
  });
}
