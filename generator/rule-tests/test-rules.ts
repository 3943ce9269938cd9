import type { Catalog } from '../catalog/rule-template.js';
import type { CompiledQuery } from '../evaluate/evaluate-query.js';
import { compiledQuery } from './compiled-queries.js';
import { EvaluationError } from '../evaluate/evaluation-error.js';
import type { AccountSource, Manifest } from '../manifest/types.js';
import { renderRulesWith } from '../render/render-rules.js';
import type { RenderedRule } from '../render/sentinel-rule.js';
import { LOG_ANALYTICS_TABLES, type TableSchemas } from '../validate/kusto-schema.js';
import { prepareCases, runCase, type CaseResult } from './rule-cases.js';
import { watchlistTables } from './watchlist-tables.js';

export const ACCOUNT_SOURCES: readonly AccountSource[] = ['inline', 'watchlist'];

/** Compiles a query for the evaluator; a query it cannot run becomes the error every case reports. */
export function compileForCases(rule: RenderedRule, globals: Kusto.Language.GlobalState): CompiledQuery | EvaluationError {
  try {
    return compiledQuery(rule.query.text, globals);
  } catch (error) {
    if (error instanceof EvaluationError) return new EvaluationError(`${rule.id}: ${error.message}`);
    throw error;
  }
}

/**
 * Runs every case of every catalog rule against the manifest, once with the accounts written
 * inline and once read from the watchlist: both renderings must behave alike. Pure.
 */
export function testRules(manifest: Manifest, catalog: Catalog, globals: Kusto.Language.GlobalState, schemas: TableSchemas = LOG_ANALYTICS_TABLES): CaseResult[] {
  const watchlists = watchlistTables(manifest);
  const results: CaseResult[] = [];
  for (const accountSource of ACCOUNT_SOURCES) {
    for (const rule of renderRulesWith(manifest, catalog, accountSource).rules) {
      const query = compileForCases(rule, globals);
      for (const prepared of prepareCases(rule, manifest, schemas)) results.push(runCase(prepared, query, { rule, accountSource, watchlists }));
    }
  }
  return results;
}
