import { lineColumn } from '../evaluate/text-position.js';
import { kustoLanguage } from './kusto-runtime.js';

export interface KustoDiagnostic {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  /** 1-based line and column in the analysed text. */
  line: number;
  column: number;
  offset: number;
  length: number;
}

export interface QueryAnalysis {
  diagnostics: KustoDiagnostic[];
  /** Columns of the query's result, name -> Kusto type; undefined if the result is not a table. */
  outputColumns: Map<string, string> | undefined;
  /** Operators that make Sentinel scan every table (search/find without `in`, union with wildcards). */
  scansAllTables: { operator: string; line: number; column: number }[];
  /** Calls that reach another workspace or resource: workspace(), app(), resource(), cluster(), database(). */
  crossResource: { call: string; line: number; column: number }[];
  /** The workspace tables the query reads, by name, in the order first met. */
  tables: string[];
  /**
   * The columns the query refers to by name (every column a name resolves to, the columns those
   * came from through a join or union, the result's columns, column_ifexists() names); `all` when
   * it reads columns it does not name (`*`, pack_all(), search, find, getschema, evaluate, a
   * wildcard), so every column counts.
   */
  columns: { names: string[]; all: boolean };
}

const CROSS_RESOURCE_FUNCTIONS = new Set(['workspace', 'app', 'resource', 'cluster', 'database', 'adx', 'arg']);

/**
 * Analyses already made, per global state, by query text: analysis is a pure function of the
 * two and the slow part of a build, and a process that builds more than once (the tests, the
 * bench, preview after validate) asks for the same texts again. Bounded, oldest out first.
 */
const analysed = new WeakMap<Kusto.Language.GlobalState, Map<string, QueryAnalysis>>();
const MAX_REMEMBERED = 500;

/**
 * Parses and semantically analyses one query against the workspace schema. Pure given the globals;
 * the result is shared between callers that ask for the same text, so it must not be changed.
 */
export function analyzeQuery(text: string, globals: Kusto.Language.GlobalState): QueryAnalysis {
  let memo = analysed.get(globals);
  if (!memo) analysed.set(globals, (memo = new Map()));
  const known = memo.get(text);
  if (known) return known;
  const analysis = analyzeNew(text, globals);
  if (memo.size >= MAX_REMEMBERED) memo.delete(memo.keys().next().value!);
  memo.set(text, analysis);
  return analysis;
}

function analyzeNew(text: string, globals: Kusto.Language.GlobalState): QueryAnalysis {
  const K = kustoLanguage();
  const code = K.KustoCode.ParseAndAnalyze(text, globals);
  if (!code) throw new Error('Kusto.Language returned no analysis');
  const position = lineColumn(text);
  const diagnostics: KustoDiagnostic[] = [];
  const list = code.GetDiagnostics();
  for (let i = 0; i < (list?.Count ?? 0); i++) {
    const d = list!.getItem(i);
    if (!d) continue;
    const severity = d.Severity === 'Error' ? 'error' : d.Severity === 'Warning' ? 'warning' : undefined;
    if (!severity) continue;
    diagnostics.push({ severity, code: d.Code ?? 'KS000', message: d.Message ?? '', offset: d.Start, length: d.Length, ...position(d.Start) });
  }
  return { diagnostics, outputColumns: resultColumns(code), scansAllTables: findFullScans(code, position), crossResource: findCrossResource(code, position), tables: tablesRead(code, globals), columns: columnsRead(code) };
}

function tablesRead(code: Kusto.Language.KustoCode, globals: Kusto.Language.GlobalState): string[] {
  const K = kustoLanguage();
  const found = new Set<string>();
  code.Syntax?.WalkElements((element) => {
    if (element.Kind !== K.Syntax.SyntaxKind.NameReference) return;
    const symbol = (element as Kusto.Language.Syntax.NameReference).ReferencedSymbol;
    if (symbol instanceof K.Symbols.TableSymbol && globals.IsDatabaseTable(symbol) && symbol.Name) found.add(symbol.Name);
  });
  return [...found];
}

/** Functions that read every column of their row without naming them. */
const ALL_COLUMN_FUNCTIONS = new Set(['pack_all', 'bag_pack_all']);

function columnsRead(code: Kusto.Language.KustoCode): QueryAnalysis['columns'] {
  const K = kustoLanguage();
  const SK = K.Syntax.SyntaxKind;
  const names = new Set<string>();
  let all = false;
  const add = (column: Kusto.Language.Symbols.ColumnSymbol | null) => {
    if (!column?.Name || names.has(column.Name)) return;
    names.add(column.Name);
    const originals = column.OriginalColumns;
    for (let i = 0; i < (originals?.Count ?? 0); i++) add(originals!.getItem(i));
  };
  code.Syntax?.WalkElements((element) => {
    switch (element.Kind) {
      case SK.NameReference: {
        const symbol = (element as Kusto.Language.Syntax.NameReference).ReferencedSymbol;
        if (symbol instanceof K.Symbols.ColumnSymbol) add(symbol);
        return;
      }
      case SK.StarExpression:
      case SK.WildcardedName:
      case SK.SearchOperator:
      case SK.FindOperator:
      case SK.GetSchemaOperator:
      case SK.EvaluateOperator:
        all = true;
        return;
      case SK.FunctionCallExpression: {
        const call = element as Kusto.Language.Syntax.FunctionCallExpression;
        const name = (call.Name?.SimpleName ?? '').toLowerCase();
        if (ALL_COLUMN_FUNCTIONS.has(name)) all = true;
        if (name === 'column_ifexists') {
          const first = (call.ArgumentList?.Expressions?.getItem(0) as Kusto.Language.Syntax.SeparatedElement$1<Kusto.Language.Syntax.Expression> | null | undefined)?.Element$1;
          const literal = first?.LiteralValue;
          if (typeof literal === 'string') names.add(literal);
          else all = true;
        }
        return;
      }
      default:
        return;
    }
  });
  const result = code.ResultType;
  if (result instanceof K.Symbols.TableSymbol) {
    const list = result.Columns;
    for (let i = 0; i < (list?.Count ?? 0); i++) add(list!.getItem(i));
  }
  return { names: [...names], all };
}

function resultColumns(code: Kusto.Language.KustoCode): Map<string, string> | undefined {
  const result = code.ResultType;
  if (!result || !(result instanceof kustoLanguage().Symbols.TableSymbol)) return undefined;
  const columns = new Map<string, string>();
  const list = result.Columns;
  for (let i = 0; i < (list?.Count ?? 0); i++) {
    const column = list!.getItem(i);
    if (column?.Name) columns.set(column.Name, column.Type?.Name ?? 'unknown');
  }
  return columns;
}

function findFullScans(code: Kusto.Language.KustoCode, position: (offset: number) => { line: number; column: number }) {
  const K = kustoLanguage();
  const SK = K.Syntax.SyntaxKind;
  const found: QueryAnalysis['scansAllTables'] = [];
  code.Syntax?.WalkElements((element) => {
    if (element.Kind === SK.SearchOperator || element.Kind === SK.FindOperator) {
      const node = element as Kusto.Language.Syntax.SearchOperator;
      if (!node.InClause) found.push({ operator: element.Kind === SK.SearchOperator ? 'search' : 'find', ...position(element.TextStart) });
    }
    if (element.Kind === SK.UnionOperator) {
      let wildcard = false;
      element.WalkElements((inner) => {
        if (inner.Kind === SK.WildcardedName) wildcard = true;
      });
      if (wildcard) found.push({ operator: 'union *', ...position(element.TextStart) });
    }
  });
  return found;
}

function findCrossResource(code: Kusto.Language.KustoCode, position: (offset: number) => { line: number; column: number }) {
  const SK = kustoLanguage().Syntax.SyntaxKind;
  const found: QueryAnalysis['crossResource'] = [];
  code.Syntax?.WalkElements((element) => {
    if (element.Kind !== SK.FunctionCallExpression) return;
    const name = (element as Kusto.Language.Syntax.FunctionCallExpression).Name?.SimpleName ?? '';
    if (CROSS_RESOURCE_FUNCTIONS.has(name.toLowerCase())) found.push({ call: `${name}()`, ...position(element.TextStart) });
  });
  return found;
}

/** Kinds of every syntax node, in order: the shape of a query with its literal values left out. */
export function syntaxShape(text: string): string[] {
  const K = kustoLanguage();
  const code = K.KustoCode.Parse(text, K.GlobalState.Default);
  const kinds: string[] = [];
  code?.Syntax?.WalkElements((element) => {
    kinds.push(String(element.Kind));
  });
  return kinds;
}
