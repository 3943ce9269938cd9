import { kustoLanguage } from './kusto-language.js';
import { lineColumn } from './text-position.js';
import { compileScalar } from './compile-scalar.js';
import { compileTabular } from './compile-tabular.js';
import type { Compiler, Exec, TableFn } from './compiler.js';
import { EvaluationError, type QueryDiagnostic } from './evaluation-error.js';
import { Scope } from './scope.js';
import { child, declaredName, isTabular, kindName, listChild, referencedSymbolKind, resultColumns, scalarType, type ResultColumn, type SyntaxNode } from './syntax.js';
import type { Table } from './table.js';
import { KDateTime, type KValue } from './values.js';

export interface EvaluationInput {
  /** Rows per table name; a table that is not given is empty. */
  tables: ReadonlyMap<string, Table>;
  /** Rows per watchlist alias, for _GetWatchlist(). */
  watchlists?: ReadonlyMap<string, Table>;
  /** The evaluation's clock (ms since the epoch, or a datetime to the tick): ago() and now() read it. */
  now: number | KDateTime;
}

export interface CompiledQuery {
  /** The result's columns and types, as Kusto.Language's analysis gives them. */
  columns: ResultColumn[];
  run(input: EvaluationInput): Table;
}

/** Functions whose value depends on the rows around the current one: never cached. */
const WINDOW_FUNCTIONS = new Set(['prev', 'next', 'row_number', 'row_cumsum', 'row_rank_dense', 'row_rank_min', 'row_window_session']);

/**
 * Parses and analyses a query with Microsoft's Kusto.Language, then compiles its syntax tree to
 * JavaScript closures once; `run` evaluates it over in-memory rows. Pure: no clock, no I/O.
 */
export function compileQuery(text: string, globals: Kusto.Language.GlobalState): CompiledQuery {
  const position = lineColumn(text);
  const code = analyse(text, globals, position);
  const root = code.Syntax as SyntaxNode | null;
  if (!root) throw new EvaluationError('Kusto.Language returned no syntax tree', { code: 'internal' });

  const global = new Scope();
  const letFns: ((x: Exec) => KValue | Table)[] = [];
  let cacheIds = 0;
  const at = (node: SyntaxNode) => position(node.TextStart);
  const compiler: Compiler = {
    scope: global,
    scalar: (node) => compileScalar(node, compiler),
    tabular: (node) => compileTabular(node, compiler),
    within(scope, compile) {
      const saved = compiler.scope;
      compiler.scope = scope;
      try {
        return compile();
      } finally {
        compiler.scope = saved;
      }
    },
    unsupported(node, construct): never {
      throw new EvaluationError(`${construct} is not supported by the offline evaluator`, { code: 'unsupported', ...at(node) });
    },
    invalid(node, message): never {
      throw new EvaluationError(message, { code: 'invalid', ...at(node) });
    },
    runConstant(node) {
      let constant = true;
      node.WalkElements((element) => {
        if (!constant || element.IsToken) return;
        const n = element as SyntaxNode;
        const kind = kindName(n);
        if (kind === 'NameReference') {
          const name = (n as Kusto.Language.Syntax.NameReference).SimpleName ?? '';
          const symbol = referencedSymbolKind(n);
          const binding = compiler.scope.lookup(name);
          if (symbol === 'column') constant = false;
          else if (binding && 'local' in binding && binding.local) constant = false;
          else if (!binding && symbol === 'other' && scalarType(n) === 'unknown' && !isTabular(n)) constant = false;
        } else if (kind === 'FunctionCallExpression') {
          const name = (child(n, 'Name') as Kusto.Language.Syntax.NameReference | undefined)?.SimpleName ?? '';
          if (WINDOW_FUNCTIONS.has(name)) constant = false;
        }
      });
      return constant;
    },
    cacheId: () => cacheIds++,
    options: new Map(),
    aggregates: undefined,
  };

  let main: TableFn | undefined;
  function compileStatement(statement: SyntaxNode): TableFn | undefined {
    const kind = kindName(statement);
    if (kind === 'LetStatement') {
      const name = declaredName(child(statement, 'Name')) ?? '';
      const expression = child(statement, 'Expression')!;
      if (kindName(expression) === 'FunctionDeclaration') {
        global.define(name, { kind: 'function', declaration: expression, scope: global });
        return undefined;
      }
      const slot = letFns.length;
      if (isTabular(expression)) {
        const fn = compiler.tabular(expression);
        letFns.push((x) => fn(x, undefined));
        global.define(name, { kind: 'table', get: (x) => x.letValue(slot) as Table, local: false });
      } else {
        const fn = compiler.scalar(expression);
        letFns.push((x) => fn({}, x));
        global.define(name, { kind: 'scalar', get: (x) => x.letValue(slot) as KValue, local: false });
      }
      return undefined;
    }
    if (kind === 'PatternStatement') {
      const name = declaredName(child(statement, 'Name')) ?? '';
      const declaration = child(statement, 'Pattern');
      if (!declaration) return compiler.unsupported(statement, 'a pattern declared without its definitions (Kusto asks the caller for them)');
      global.define(name, { kind: 'pattern', declaration, scope: global });
      return undefined;
    }
    if (kind === 'SetOptionStatement') {
      const name = declaredName(child(statement, 'Name'))?.toLowerCase() ?? '';
      const valueClause = child(statement, 'ValueClause');
      const value = valueClause && child(valueClause, 'Expression');
      compiler.options.set(name, value ? compiler.scalar(value)({}, { now: KDateTime.of(0n) } as Exec) : true);
      return undefined;
    }
    if (kind === 'ExpressionStatement') {
      if (main) return compiler.unsupported(statement, 'a query with more than one result');
      const expression = child(statement, 'Expression')!;
      const kind = kindName(expression);
      if (isTabular(expression) || kind === 'PipeExpression' || kind.endsWith('Operator')) return compiler.tabular(expression);
      // A bare scalar expression is a query of one row: Kusto runs it as `print`.
      const value = compiler.scalar(expression);
      const type = scalarType(expression);
      return (x) => ({ columns: ['print_0'], types: [type], rows: [{ print_0: value({}, x) }] });
    }
    return compiler.unsupported(statement, `the statement ${kind.replace(/Statement$/, '').toLowerCase()}`);
  }
  for (const statement of listChild(root, 'Statements')) {
    try {
      main = compileStatement(statement) ?? main;
    } catch (error) {
      throw asEvaluationError(error, 'compiling', position(statement.TextStart));
    }
  }
  if (!main) throw new EvaluationError('the query has no tabular expression to evaluate', { code: 'invalid' });
  const result = main;
  return {
    columns: resultColumns(lastExpression(root)) ?? [],
    run(input) {
      const values = new Map<number, KValue | Table>();
      const x: Exec = {
        now: input.now instanceof KDateTime ? input.now : new KDateTime(input.now),
        tables: input.tables,
        watchlists: input.watchlists ?? new Map(),
        cache: new Map(),
        window: undefined,
        named: new Map(),
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
  if (error instanceof RangeError && /range: more than/.test(error.message)) return new EvaluationError(error.message, { code: 'invalid', ...at });
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
    throw new EvaluationError(`Microsoft's Kusto.Language failed analysing this query (${error instanceof Error ? error.message : String(error)}), so the offline evaluator cannot evaluate it: this query shape is not supported offline`, { code: 'unsupported' });
  }
  if (!code) throw new EvaluationError('Kusto.Language returned no analysis', { code: 'internal' });
  const first = diagnostics[0];
  if (first) throw new EvaluationError(`the query does not analyse: ${first.code} ${first.message}`, { code: 'invalid', line: first.line, column: first.column, diagnostics });
  return code;
}
