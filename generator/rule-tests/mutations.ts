import { kindName, child, type SyntaxNode } from '../evaluate/syntax.js';
import { kustoLanguage } from '../validate/kusto-runtime.js';

/** One deliberate break of a rule's query: a `where` dropped or turned around. */
export interface Mutation {
  kind: 'drop-filter' | 'invert-filter';
  /** The filter reads the account lists or the exclusion group: the heart of every rule. */
  accountFilter: boolean;
  /** The filter's condition as written, for reports. */
  condition: string;
  /** 1-based line of the condition in the query. */
  line: number;
  text: string;
}

const ACCOUNT_NAMES = /\b(BreakGlassAccountIds|BreakGlassUpns|BreakGlassAccounts|ExclusionGroupId)\b/;

/**
 * Every `where` of the query (in lets and sub-queries too), once replaced by `true` and once by
 * its negation. Pure: it reads only the query text.
 */
export function queryMutations(text: string, globals: Kusto.Language.GlobalState): Mutation[] {
  const code = kustoLanguage().KustoCode.ParseAndAnalyze(text, globals);
  const conditions: { start: number; end: number }[] = [];
  code?.Syntax?.WalkElements((element) => {
    if (element.IsToken || kindName(element as SyntaxNode) !== 'FilterOperator') return;
    const condition = child(element as SyntaxNode, 'Condition');
    if (condition) conditions.push({ start: condition.TextStart, end: condition.End });
  });
  return conditions.flatMap(({ start, end }) => {
    const condition = text.slice(start, end);
    const line = text.slice(0, start).split('\n').length;
    const accountFilter = ACCOUNT_NAMES.test(condition);
    const splice = (replacement: string): string => `${text.slice(0, start)}${replacement}${text.slice(end)}`;
    return [
      { kind: 'drop-filter', accountFilter, condition, line, text: splice('true') },
      { kind: 'invert-filter', accountFilter, condition, line, text: splice(`not(${condition})`) },
    ];
  });
}
