import { kustoLanguage } from './kusto-language.js';
import { lineColumn } from './text-position.js';
import { compileScalar } from './compile-scalar.js';
import { compileTabular } from './compile-tabular.js';
import type { Compiler, Exec, LetBinding, TableFn } from './compiler.js';
import { EvaluationError, type QueryDiagnostic } from './evaluation-error.js';
import { child, isTabular, kindName, listChild, referencedSymbolKind, resultColumns, type ResultColumn, type SyntaxNode } from './syntax.js';
import type { Table } from './table.js';
import type { KValue } from './values.js';

export interface EvaluationInput {
  /** Rows per table name; a table that is not given is empty. */
  tables: ReadonlyMap<string, Table>;
  /** Rows per watchlist alias, for _GetWatchlist(). */
  watchlists?: ReadonlyMap<string, Table>;
  /** The evaluation's clock (ms since the epoch): ago() and now() read it. */
  now: number;
}

export interface CompiledQuery {
  /** The result's columns and types, as Kusto.Language's analysis gives them. */
  columns: ResultColumn[];
  run(input: EvaluationInput): Table;
}

/**
 * Parses and analyses a query with Microsoft's Kusto.Language, then compiles its syntax tree to
 * JavaScript closures once; `run` evaluates it over in-memory rows. Pure: no clock, no I/O.
 */
export function compileQuery(text: string, globals: Kusto.Language.GlobalState): CompiledQuery {
  const position = lineColumn(text);
  const code = analyse(text, globals, position);
  const root = code?.Syntax;
  if (!root) throw new EvaluationError('Kusto.Language returned no syntax tree', { code: 'internal' });

  const scope = new Map<string, LetBinding>();
  const letFns: ((x: Exec) => KValue | Table)[] = [];
  let cacheIds = 0;
  const compiler: Compiler = {
    scalar: (node) => compileScalar(node, compiler),
    tabular: (node) => compileTabular(node, compiler),
    fail(node, message): never {
      const at = position(node.TextStart);
      throw new EvaluationError(message, { code: /not supported/.test(message) ? 'unsupported' : 'invalid', ...at });
    },
    letBinding: (name) => scope.get(name),
    rowIndependent(node) {
      let independent = true;
      node.WalkElements((element) => {
        if (!element.IsToken && kindName(element as SyntaxNode) === 'NameReference' && referencedSymbolKind(element as SyntaxNode) === 'column') independent = false;
      });
      return independent;
    },
    cacheId: () => cacheIds++,
  };

  let main: TableFn | undefined;
  function compileStatement(statement: SyntaxNode): TableFn | undefined {
    const kind = kindName(statement);
    if (kind === 'LetStatement') {
      const name = (child(statement, 'Name') as Kusto.Language.Syntax.NameDeclaration | undefined)?.SimpleName ?? '';
      const expression = child(statement, 'Expression')!;
      if (kindName(expression) === 'FunctionDeclaration') compiler.fail(statement, `let ${name}: user-defined functions are not supported by the offline evaluator`);
      const tabular = isTabular(expression);
      const fn = tabular ? compiler.tabular(expression) : compiler.scalar(expression);
      const slot = letFns.length;
      letFns.push(tabular ? (x) => (fn as TableFn)(x, undefined) : (x) => (fn as (row: object, x: Exec) => KValue)({}, x));
      scope.set(name, { slot, tabular });
      return undefined;
    }
    if (kind === 'ExpressionStatement') {
      if (main) compiler.fail(statement, 'a query with more than one result is not supported by the offline evaluator');
      const expression = child(statement, 'Expression')!;
      if (!isTabular(expression)) compiler.fail(statement, 'the query must end in a single tabular expression (fork and facet, which give several tables, are not supported by the offline evaluator)');
      return compiler.tabular(expression);
    }
    return compiler.fail(statement, `the statement ${kind} is not supported by the offline evaluator`);
  }
  for (const statement of listChild(root as SyntaxNode, 'Statements')) {
    try {
      main = compileStatement(statement) ?? main;
    } catch (error) {
      throw asEvaluationError(error, 'compiling', position(statement.TextStart));
    }
  }
  if (!main) throw new EvaluationError('the query has no tabular expression to evaluate', { code: 'invalid' });
  const result = main;
  return {
    columns: resultColumns(lastExpression(root as SyntaxNode)) ?? [],
    run(input) {
      const values = new Map<number, KValue | Table>();
      const x: Exec = {
        now: input.now,
        tables: input.tables,
        watchlists: input.watchlists ?? new Map(),
        cache: new Map(),
        letValue(slot) {
          if (!values.has(slot)) values.set(slot, letFns[slot]!(x));
          return values.get(slot)!;
        },
      };
      try {
        return result(x, undefined);
      } catch (error) {
        throw asEvaluationError(error, 'running');
      }
    },
  };
}

/**
 * Anything but an EvaluationError out of the evaluator is a defect of ours, met on a query shape
 * we did not foresee: it must not take the whole command down, so it becomes an error that the
 * rule's cases report, saying plainly that the evaluator is at fault, not the query.
 */
function asEvaluationError(error: unknown, phase: 'compiling' | 'running', at?: { line: number; column: number }): EvaluationError {
  if (error instanceof EvaluationError) return error;
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new EvaluationError(`the offline evaluator failed ${phase} this query (${detail}); the query may be fine, but it cannot be tested offline: please report it with the query`, { code: 'internal', ...at });
}

/** The expression of the query's last statement: its result is the query's result. */
function lastExpression(root: SyntaxNode): SyntaxNode {
  const statements = listChild(root, 'Statements');
  const last = statements[statements.length - 1];
  return (last && child(last, 'Expression')) ?? root;
}

/**
 * Kusto.Language's parse and semantic analysis. An error diagnostic makes the query invalid, with
 * every diagnostic kept; an exception thrown inside Kusto.Language (it happens on odd queries) is
 * caught here, so that it cannot stop a whole run of rules.
 */
function analyse(text: string, globals: Kusto.Language.GlobalState, position: (offset: number) => { line: number; column: number }): Kusto.Language.KustoCode {
  let code: Kusto.Language.KustoCode | null;
  const diagnostics: QueryDiagnostic[] = [];
  try {
    code = kustoLanguage().KustoCode.ParseAndAnalyze(text, globals);
    const list = code?.GetDiagnostics();
    for (let i = 0; i < (list?.Count ?? 0); i++) {
      const d = list!.getItem(i);
      if (d?.Severity === 'Error') diagnostics.push({ code: d.Code ?? 'KS000', message: d.Message ?? '', ...position(d.Start) });
    }
  } catch (error) {
    throw new EvaluationError(`Kusto.Language failed analysing this query (${error instanceof Error ? error.message : String(error)}); it cannot be evaluated offline`, { code: 'internal' });
  }
  if (!code) throw new EvaluationError('Kusto.Language returned no analysis', { code: 'internal' });
  const first = diagnostics[0];
  if (first) throw new EvaluationError(`the query does not analyse: ${first.code} ${first.message}`, { code: 'invalid', line: first.line, column: first.column, diagnostics });
  return code;
}
