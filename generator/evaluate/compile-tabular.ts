import type { Compiler, Exec, OperatorFn, RowWindow, ScalarFn, TableFn } from './compiler.js';
import { callUserFunction } from './compile-function.js';
import { argumentNodes, functionName, scalarOnce } from './compile-scalar.js';
import { convertTo } from './convert.js';
import { evaluateOperator } from './op-evaluate.js';
import { mvApply, mvExpand } from './op-expand.js';
import { partition } from './op-partition.js';
import { scan } from './op-scan.js';
import { graphMarkComponents, graphMatch, graphShortestPaths, graphToTable, makeGraph } from './op-graph.js';
import { join, lookup } from './op-join.js';
import { makeSeries } from './op-make-series.js';
import { parseKvOperator, parseOperator } from './op-parse.js';
import { summarize, topNested } from './op-summarize.js';
import { union } from './op-union.js';
import { columnsOf, emptyValue, keyword, names } from './operator-helpers.js';
import { child, declaredName, kindName, listChild, literalValue, normalType, referencedSymbolKind, resultColumns, scalarType, textOf, tokenText, tupleColumns, type SyntaxNode } from './syntax.js';
import { Scope, type Binding } from './scope.js';
import { resolveTypes, shapeCache, typesFor } from './shapes.js';
import { typesOf, type Row, type Table } from './table.js';
import { compare, dateTimeOrNull, isNumeric, KDateTime, KTimespan, toKustoString, valueKey, type KValue } from './values.js';

const SOURCES = new Set(['PrintOperator', 'DataTableExpression', 'UnionOperator', 'RangeOperator']);

/** Compiles a tabular expression: a table, a let, a pipe of operators, print, datatable, range, union. */
export function compileTabular(node: SyntaxNode, compiler: Compiler): TableFn {
  const kind = kindName(node);
  switch (kind) {
    case 'ParenthesizedExpression':
      return compiler.tabular(child(node, 'Expression')!);
    case 'MaterializeExpression':
      // A let is evaluated once per run already: materialize changes only the speed in Kusto.
      return compiler.tabular(child(node, 'Expression')!);
    case 'PipeExpression':
      return pipe(node, compiler);
    case 'NameReference':
      return tableReference(node, compiler);
    case 'FunctionCallExpression':
      return functionTable(node, compiler);
    case 'PathExpression': {
      const call = child(node, 'Expression')!;
      const binding = kindName(call) === 'FunctionCallExpression' ? compiler.scope.lookup(functionName(call)) : undefined;
      if (binding?.kind === 'pattern') return patternCall(call, child(node, 'Selector'), binding, compiler);
      return compiler.unsupported(node, 'the tabular expression PathExpression');
    }
    case 'ToTableExpression':
      return compiler.unsupported(node, 'toTable()');
    default: {
      if (!kind.endsWith('Operator') && !SOURCES.has(kind)) return compiler.unsupported(node, `the tabular expression ${kind}`);
      const operator = compileOperator(node, compiler);
      if (SOURCES.has(kind)) return (x, implicit) => operator(x, implicit ?? { columns: [], types: [], rows: [] });
      return (x, implicit) => {
        if (!implicit) return compiler.invalid(node, `'${keyword(node)}' has no input`);
        return operator(x, implicit);
      };
    }
  }
}

function pipe(node: SyntaxNode, compiler: Compiler): TableFn {
  const sourceNode = child(node, 'Expression')!;
  const operatorNode = child(node, 'Operator')!;
  // join (innerunique) | where <left column test>: Kusto pushes the filter below the join, before
  // the left side is deduplicated (join-innerunique.md), so the row the filter keeps is the one kept.
  if (kindName(operatorNode) === 'FilterOperator' && kindName(sourceNode) === 'PipeExpression') {
    const pushed = pushFilterIntoJoin(sourceNode, operatorNode, compiler);
    if (pushed) return pushed;
  }
  const source = compiler.tabular(sourceNode);
  const operator = compileOperator(operatorNode, compiler);
  return (x, implicit) => operator(x, source(x, implicit));
}

function pushFilterIntoJoin(joinPipe: SyntaxNode, filterNode: SyntaxNode, compiler: Compiler): TableFn | undefined {
  const joinNode = child(joinPipe, 'Operator')!;
  if (kindName(joinNode) !== 'JoinOperator') return undefined;
  const kindText = listChild(joinNode, 'Parameters')
    .filter((p) => declaredName(child(p, 'Name'))?.toLowerCase() === 'kind')
    .map((p) => textOf(child(p, 'Expression')!).toLowerCase())[0];
  if (kindText !== undefined && kindText !== 'innerunique') return undefined;
  const leftColumns = new Set((resultColumns(child(joinPipe, 'Expression')!) ?? []).map((c) => c.name));
  const condition = child(filterNode, 'Condition')!;
  // Every column the filter reads must be a left column (a clashing right column is renamed: Key1).
  let leftOnly = true;
  condition.WalkElements((element) => {
    if (element.IsToken || kindName(element as SyntaxNode) !== 'NameReference') return;
    if (referencedSymbolKind(element as SyntaxNode) !== 'column') return;
    if (!leftColumns.has((element as Kusto.Language.Syntax.NameReference).SimpleName ?? '')) leftOnly = false;
  });
  if (!leftOnly) return undefined;
  const filterFn = compileOperator(filterNode, compiler);
  const leftSource = compiler.tabular(child(joinPipe, 'Expression')!);
  const joinFn = join(joinNode, compiler);
  return (x, implicit) => joinFn(x, filterFn(x, leftSource(x, implicit)));
}

function tableReference(node: SyntaxNode, compiler: Compiler): TableFn {
  const name = (node as Kusto.Language.Syntax.NameReference).SimpleName ?? '';
  const binding = compiler.scope.lookup(name);
  if (binding?.kind === 'table') return (x) => binding.get(x);
  if (binding?.kind === 'scalar') return compiler.invalid(node, `'${name}' is a scalar, not a table`);
  if (binding?.kind === 'function') return callUserFunction(node, binding, compiler) as TableFn;
  const columns = resultColumns(node) ?? [];
  const columnNames = names(columns);
  const columnTypes = columns.map((c) => normalType(c.type));
  const empty: Table = { columns: columnNames, types: columnTypes, rows: [] };
  // Types of a table given without them, by its column list (replay hands in a window per run, all sharing one list).
  const typesFor = new WeakMap<string[], string[]>();
  return (x) => {
    const named = x.named.get(name);
    if (named) return named;
    const table = x.tables.get(name);
    if (!table) return empty;
    if (table.types) return table;
    let types = typesFor.get(table.columns);
    if (!types) {
      const byName = new Map(columnNames.map((c, i) => [c, columnTypes[i]!]));
      types = table.columns.map((c) => byName.get(c) ?? 'dynamic');
      typesFor.set(table.columns, types);
    }
    return { columns: table.columns, types, rows: table.rows };
  };
}

function functionTable(node: SyntaxNode, compiler: Compiler): TableFn {
  const name = functionName(node);
  const binding = compiler.scope.lookup(name);
  if (binding?.kind === 'function') return callUserFunction(node, binding, compiler) as TableFn;
  if (binding?.kind === 'pattern') return patternCall(node, undefined, binding, compiler);
  const args = argumentNodes(node);
  if (name === '_GetWatchlist') {
    const [aliasNode] = args;
    if (!aliasNode || !compiler.runConstant(aliasNode)) return compiler.unsupported(node, '_GetWatchlist() with an alias that is not a constant');
    const alias = scalarOnce(compiler.scalar(aliasNode));
    const columns = columnsOf(node, compiler);
    return (x) => {
      const key = toKustoString(alias(x));
      const table = x.watchlists.get(key) ?? compiler.invalid(node, `no rows were given for the watchlist '${key}'`);
      return { columns: table.columns, types: table.types ?? table.columns.map((c) => columns.find((k) => k.name === c)?.type ?? 'dynamic'), rows: table.rows };
    };
  }
  if (name === 'table' || name === 'view') {
    const [nameNode] = args;
    if (!nameNode) return compiler.invalid(node, `${name}() needs a table name`);
    if (!compiler.runConstant(nameNode)) {
      // table(tableName) inside a function called with the name (Sentinel's aadFunc("SigninLogs")):
      // the name is known per call; the analyser typed this call with it.
      const nameFn = compiler.scalar(nameNode);
      const columns = columnsOf(node, compiler);
      const scope = compiler.scope;
      return (x) => {
        const tableName = toKustoString(nameFn({}, x));
        const bound = scope.lookup(tableName);
        if (bound?.kind === 'table') return bound.get(x);
        const table = x.tables.get(tableName);
        if (!table) return { columns: names(columns), types: columns.map((c) => normalType(c.type)), rows: [] };
        if (table.types) return table;
        const byName = new Map(columns.map((c) => [c.name, normalType(c.type)]));
        return { columns: table.columns, types: table.columns.map((c) => byName.get(c) ?? 'dynamic'), rows: table.rows };
      };
    }
    const tableName = toKustoString(scalarOnce(compiler.scalar(nameNode))({ now: undefined } as unknown as Exec));
    const binding2 = compiler.scope.lookup(tableName);
    if (binding2?.kind === 'table') return (x) => binding2.get(x);
    const columns = columnsOf(node, compiler);
    return (x) => x.tables.get(tableName) ?? { columns: names(columns), types: columns.map((c) => c.type), rows: [] };
  }
  return compiler.unsupported(node, `the tabular function ${name}()`);
}

/**
 * A pattern's invocation, Name(args).Path or Name(args) (pattern-statement.md): the body of the
 * definition whose argument values (and path value) are the invocation's. The arguments must be
 * constants; an invocation no definition matches is an error, as in Kusto.
 */
function patternCall(call: SyntaxNode, selector: SyntaxNode | undefined, binding: Extract<Binding, { kind: 'pattern' }>, compiler: Compiler): TableFn {
  const constant = (node: SyntaxNode | undefined): string | undefined => {
    if (!node) return undefined;
    if (kindName(node) === 'StringLiteralExpression') return String(literalValue(node) ?? '');
    return compiler.unsupported(node, 'a pattern invoked with a value that is not a string literal');
  };
  const args = argumentNodes(call).map(constant);
  let path: string | undefined;
  if (selector) {
    const bracketed = child(selector, 'Name');
    path = bracketed && kindName(bracketed) === 'BracketedName' ? constant(child(bracketed, 'Name')) : ((selector as Kusto.Language.Syntax.NameReference).SimpleName ?? textOf(selector));
  }
  for (const match of listChild(binding.declaration, 'Patterns')) {
    const values = listChild(child(match, 'ParameterValues')!, 'Expressions').map((v) => (kindName(v) === 'StringLiteralExpression' ? String(literalValue(v) ?? '') : undefined));
    const pathValueNode = child(match, 'PathValue');
    const pathValue = pathValueNode ? (literalValue(child(pathValueNode, 'Value')!) as string | undefined) : undefined;
    if (values.length !== args.length || values.some((v, i) => v !== args[i]) || pathValue !== path) continue;
    const body = child(match, 'Body')!;
    const statements = listChild(body, 'Statements');
    if (statements.length > 0) return compiler.unsupported(statements[0]!, 'statements inside a pattern definition');
    const expression = child(body, 'Expression')!;
    return compiler.within(new Scope(binding.scope), () => compiler.tabular(expression));
  }
  return compiler.invalid(call, `no definition of the pattern matches ${textOf(call)}${path === undefined ? '' : `.${path}`}`);
}

function compileOperator(node: SyntaxNode, compiler: Compiler): OperatorFn {
  switch (kindName(node)) {
    case 'FilterOperator':
      return filter(node, compiler);
    case 'ExtendOperator':
      return extend(node, compiler, false);
    case 'SerializeOperator':
      return extend(node, compiler, true);
    case 'ProjectOperator':
      return project(node, compiler);
    case 'ProjectAwayOperator':
      return projectAway(node);
    case 'ProjectKeepOperator':
      return projectKeep(node);
    case 'ProjectReorderOperator':
      return projectReorder(node);
    case 'ProjectRenameOperator':
      return projectRename(node, compiler);
    case 'ProjectByNamesOperator':
      return projectByNames(node, compiler);
    case 'SummarizeOperator':
      return summarize(node, compiler);
    case 'TopNestedOperator':
      return topNested(node, compiler);
    case 'MakeSeriesOperator':
      return makeSeries(node, compiler);
    case 'UnionOperator':
      return union(node, compiler);
    case 'JoinOperator':
      return join(node, compiler);
    case 'LookupOperator':
      return lookup(node, compiler);
    case 'ParseOperator':
    case 'ParseWhereOperator':
      return parseOperator(node, compiler);
    case 'ParseKvOperator':
      return parseKvOperator(node, compiler);
    case 'MvExpandOperator':
      return mvExpand(node, compiler);
    case 'MvApplyOperator':
      return mvApply(node, compiler);
    case 'TakeOperator':
      return take(node, compiler);
    case 'TopOperator':
      return top(node, compiler);
    case 'SortOperator':
      return sort(node, compiler);
    case 'DistinctOperator':
      return distinct(node, compiler);
    case 'CountOperator': {
      const name = declaredName(child(node, 'AsIdentifier')) ?? columnsOf(node, compiler)[0]?.name ?? 'Count';
      return (_x, input) => ({ columns: [name], types: ['long'], rows: [{ [name]: input.rows.length }] });
    }
    case 'GetSchemaOperator':
      return getSchema();
    case 'AsOperator': {
      const name = declaredName(child(node, 'Name')) ?? '';
      return (x, input) => {
        x.named.set(name, input);
        return input;
      };
    }
    case 'RenderOperator':
      return (_x, input) => input;
    case 'ConsumeOperator':
      return (_x, input) => ({ columns: [], types: [], rows: [], serialized: input.serialized });
    case 'InvokeOperator':
      return invoke(node, compiler);
    case 'PartitionOperator':
      return partition(node, compiler);
    case 'ScanOperator':
      return scan(node, compiler);
    case 'MakeGraphOperator':
      return makeGraph(node, compiler);
    case 'GraphMatchOperator':
      return graphMatch(node, compiler);
    case 'GraphShortestPathsOperator':
      return graphShortestPaths(node, compiler);
    case 'GraphMarkComponentsOperator':
      return graphMarkComponents(node, compiler);
    case 'GraphToTableOperator':
      return graphToTable(node, compiler);
    case 'EvaluateOperator':
      return evaluateOperator(node, compiler);
    case 'PrintOperator':
      return print(node, compiler);
    case 'DataTableExpression':
      return datatable(node, compiler);
    case 'RangeOperator':
      return range(node, compiler);
    case 'SampleOperator':
    case 'SampleDistinctOperator':
      return compiler.unsupported(node, `'${keyword(node)}' (it picks rows at random, so its results cannot be tested offline)`);
    case 'ForkOperator':
    case 'FacetOperator':
      return compiler.unsupported(node, `'${keyword(node)}' (it returns several tables)`);
    default:
      return compiler.unsupported(node, `the operator '${keyword(node)}'`);
  }
}

/**
 * The window prev(), next() and row_cumsum() read while an operator walks serialized rows; none
 * for rows that are not serialized (window functions refuse them).
 */
function openWindow(x: Exec, input: Table): RowWindow | undefined {
  return input.serialized ? { rows: input.rows, index: 0, state: new Map() } : undefined;
}

/** Each input row made into an output row, prev()/next()/row_*() reading the input's window meanwhile. */
function mapRows(x: Exec, input: Table, make: (row: Row) => Row): Row[] {
  const rows = new Array<Row>(input.rows.length);
  const saved = x.window;
  const window = (x.window = openWindow(x, input));
  try {
    for (let i = 0; i < input.rows.length; i++) {
      if (window) window.index = i;
      rows[i] = make(input.rows[i]!);
    }
  } finally {
    x.window = saved;
  }
  return rows;
}

function filter(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const condition = compiler.scalar(child(node, 'Condition')!);
  return (x, input) => {
    if (input.rows.length === 0) return input;
    const rows: Row[] = [];
    const saved = x.window;
    const window = (x.window = openWindow(x, input));
    try {
      for (let i = 0; i < input.rows.length; i++) {
        if (window) window.index = i;
        const row = input.rows[i]!;
        if (condition(row, x) === true) rows.push(row);
      }
    } finally {
      x.window = saved;
    }
    return { columns: input.columns, types: typesOf(input), rows, serialized: input.serialized };
  };
}

/** One item of extend/project/print/summarize-by: the names it sets and how to compute them. */
export interface NamedItem {
  names: string[];
  /** One value, or for a tuple (series_stats(), (a, b) = ...) one per name. */
  value: ScalarFn;
  tuple: boolean;
  /** Static types of the names; 'unknown' where only the data can tell. */
  types: string[];
  /** A plain column reference: keeps the input column's type. */
  column?: string;
}

/**
 * The items of an operator's expression list. `nameAt(position, declared)` names each output:
 * the query's own name when it gives one (Name = ..., a column reference), else the analyser's.
 */
export function namedItems(list: readonly SyntaxNode[], compiler: Compiler, nameAt: (position: number, declared: string | undefined) => string): NamedItem[] {
  let position = 0;
  const next = (declared: string | undefined) => nameAt(position++, declared);
  return list.map((item) => {
    const kind = kindName(item);
    if (kind === 'SimpleNamedExpression') {
      const expression = child(item, 'Expression')!;
      const tuple = tupleColumns(expression);
      const name = next(declaredName(child(item, 'Name')));
      if (tuple) return { names: [name], value: firstOf(compiler.scalar(expression)), tuple: false, types: [tuple[0]?.type ?? 'dynamic'] };
      return { names: [name], value: compiler.scalar(expression), tuple: false, types: [scalarType(expression)] };
    }
    if (kind === 'CompoundNamedExpression') {
      const declared = listChild(child(item, 'Names')!, 'Names').map((n) => next(declaredName(n)));
      const expression = child(item, 'Expression')!;
      const tuple = tupleColumns(expression) ?? [];
      return { names: declared, value: compiler.scalar(expression), tuple: true, types: declared.map((_, i) => tuple[i]?.type ?? 'dynamic') };
    }
    const tuple = tupleColumns(item);
    if (tuple) return { names: tuple.map((c) => next(undefined) || c.name), value: compiler.scalar(item), tuple: true, types: tuple.map((c) => c.type) };
    const isColumn = kind === 'NameReference' && referencedSymbolKind(item) !== 'variable' && compiler.scope.lookup((item as Kusto.Language.Syntax.NameReference).SimpleName ?? '') === undefined;
    const column = isColumn ? ((item as Kusto.Language.Syntax.NameReference).SimpleName ?? undefined) : undefined;
    const name = next(column);
    return { names: [name], value: compiler.scalar(item), tuple: false, types: [scalarType(item)], ...(column !== undefined ? { column } : {}) };
  });
}

function firstOf(fn: ScalarFn): ScalarFn {
  return (row, x) => {
    const value = fn(row, x);
    return Array.isArray(value) ? (value[0] ?? null) : value;
  };
}

/** Sets an item's values into a row: one value, or a tuple spread over its names. */
export function assignItem(out: Row, item: NamedItem, row: Row, x: Exec): void {
  const value = item.value(row, x);
  if (!item.tuple) {
    out[item.names[0]!] = value;
    return;
  }
  const values = Array.isArray(value) ? value : [];
  item.names.forEach((name, i) => (out[name] = values[i] ?? null));
}

/** A generator of the analyser's names for unnamed items: output columns that are not input columns. */
function generatedNames(node: SyntaxNode, inputNames: readonly string[], declared: readonly string[]): () => string {
  const known = new Set([...inputNames, ...declared]);
  const fresh = (resultColumns(node) ?? []).map((c) => c.name).filter((n) => !known.has(n));
  let counter = 1;
  return () => {
    const next = fresh.shift();
    if (next !== undefined) return next;
    while (known.has(`Column${counter}`)) counter++;
    known.add(`Column${counter}`);
    return `Column${counter++}`;
  };
}

function inputNamesOf(node: SyntaxNode): string[] {
  const parent = node.Parent;
  const source = parent && kindName(parent) === 'PipeExpression' ? child(parent, 'Expression') : undefined;
  return (source && resultColumns(source)?.map((c) => c.name)) ?? [];
}

function declaredNames(list: readonly SyntaxNode[]): string[] {
  return list.flatMap((item) => {
    if (kindName(item) === 'SimpleNamedExpression') return [declaredName(child(item, 'Name')) ?? ''];
    if (kindName(item) === 'CompoundNamedExpression') return listChild(child(item, 'Names')!, 'Names').map((n) => declaredName(n) ?? '');
    return [];
  });
}

function extend(node: SyntaxNode, compiler: Compiler, serialize: boolean): OperatorFn {
  const list = listChild(node, 'Expressions');
  const generated = generatedNames(node, inputNamesOf(node), declaredNames(list));
  const items = namedItems(list, compiler, (_position, declared) => declared ?? generated());
  const shape = shapeCache((input) => {
    const columns = [...input.columns];
    const types: (string | undefined)[] = [...typesOf(input)];
    for (const item of items) {
      item.names.forEach((name, i) => {
        const at = columns.indexOf(name);
        const type = item.column !== undefined ? typesOf(input)[input.columns.indexOf(item.column)] : item.types[i];
        if (at === -1) {
          columns.push(name);
          types.push(type);
        } else types[at] = type;
      });
    }
    return { columns, types };
  });
  return (x, input) => {
    const out = shape(input);
    const rows = mapRows(x, input, (source) => {
      const row: Row = { ...source };
      // Later items see earlier ones: `extend a = 1, b = a + 1`.
      for (const item of items) assignItem(row, item, row, x);
      return row;
    });
    return { columns: out.columns, types: typesFor(out, rows), rows, serialized: serialize || input.serialized };
  };
}

function project(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const list = listChild(node, 'Expressions');
  const output = (resultColumns(node) ?? []).map((c) => c.name);
  const named = namedItems(list, compiler, (position, declared) => output[position] ?? declared ?? `Column${position + 1}`);
  const shape = shapeCache((input) => {
    const columns: string[] = [];
    const types: (string | undefined)[] = [];
    for (const item of named) {
      item.names.forEach((name, i) => {
        columns.push(name);
        types.push(item.column !== undefined ? typesOf(input)[input.columns.indexOf(item.column)] : item.types[i]);
      });
    }
    return { columns, types };
  });
  return (x, input) => {
    const out = shape(input);
    const rows = mapRows(x, input, (source) => {
      const row: Row = {};
      for (const item of named) assignItem(row, item, source, x);
      return row;
    });
    return { columns: out.columns, types: typesFor(out, rows), rows, serialized: input.serialized };
  };
}

/** `a*`, `Name`, `['x y']`: the patterns of project-away/keep/reorder, matched against the input's columns. */
function columnPatterns(node: SyntaxNode): { pattern: RegExp; order: 'asc' | 'desc' | undefined }[] {
  return listChild(node, 'Expressions').map((item) => {
    const ordered = kindName(item) === 'OrderedExpression';
    const target = ordered ? child(item, 'Expression')! : item;
    const clause = ordered ? child(item, 'Ordering') : undefined;
    const direction = clause ? tokenText(clause, 'AscOrDescKeyword')?.toLowerCase() : undefined;
    const text = declaredName(target) ?? textOf(target).replace(/^\[\s*['"]|['"]\s*\]$/g, '');
    const pattern = new RegExp(`^${text.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return { pattern, order: direction === 'asc' || direction === 'desc' ? direction : undefined };
  });
}

function selectColumns(input: Table, columns: readonly string[]): Table {
  const types = typesOf(input);
  return {
    columns: [...columns],
    types: columns.map((c) => types[input.columns.indexOf(c)] ?? 'dynamic'),
    rows: input.rows.map((row) => {
      const out: Row = {};
      for (const c of columns) out[c] = row[c] ?? null;
      return out;
    }),
    serialized: input.serialized,
  };
}

function projectAway(node: SyntaxNode): OperatorFn {
  const patterns = columnPatterns(node);
  return (_x, input) => selectColumns(input, input.columns.filter((c) => !patterns.some((p) => p.pattern.test(c))));
}

function projectKeep(node: SyntaxNode): OperatorFn {
  const patterns = columnPatterns(node);
  return (_x, input) => selectColumns(input, input.columns.filter((c) => patterns.some((p) => p.pattern.test(c))));
}

function projectReorder(node: SyntaxNode): OperatorFn {
  const patterns = columnPatterns(node);
  return (_x, input) => {
    const first: string[] = [];
    for (const { pattern, order } of patterns) {
      let matched = input.columns.filter((c) => pattern.test(c) && !first.includes(c));
      if (order) matched = [...matched].sort((a, b) => (order === 'asc' ? (a < b ? -1 : a > b ? 1 : 0) : a < b ? 1 : a > b ? -1 : 0));
      first.push(...matched);
    }
    return selectColumns(input, [...first, ...input.columns.filter((c) => !first.includes(c))]);
  };
}

function projectRename(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const renames: [string, string][] = [];
  for (const item of listChild(node, 'Expressions')) {
    const to = declaredName(child(item, 'Name'));
    const from = declaredName(child(item, 'Expression'));
    if (!to || !from) return compiler.invalid(item, 'project-rename needs New = Old');
    renames.push([from, to]);
  }
  return (_x, input) => {
    const rename = new Map(renames);
    const columns = input.columns.map((c) => rename.get(c) ?? c);
    return {
      columns,
      types: typesOf(input),
      rows: input.rows.map((row) => {
        const out: Row = {};
        input.columns.forEach((c, i) => (out[columns[i]!] = row[c] ?? null));
        return out;
      }),
      serialized: input.serialized,
    };
  };
}

function projectByNames(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const values = listChild(node, 'Expressions').map((e) => compiler.scalar(e));
  return (x, input) => {
    const wanted = values.flatMap((v) => {
      const value = v({}, x);
      return Array.isArray(value) ? value.map(toKustoString) : [toKustoString(value)];
    });
    const columns: string[] = [];
    for (const name of wanted) for (const c of input.columns) if ((c === name || new RegExp(`^${name.split('*').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(c)) && !columns.includes(c)) columns.push(c);
    return selectColumns(input, columns);
  };
}

function constantNumber(node: SyntaxNode, compiler: Compiler): (x: Exec) => number {
  const value = compiler.scalar(node);
  return (x) => {
    const n = value({}, x);
    return isNumeric(n) ? Number(n) : compiler.invalid(node, 'expected a number');
  };
}

function take(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const count = constantNumber(child(node, 'Expression')!, compiler);
  return (x, input) => ({ columns: input.columns, types: typesOf(input), rows: input.rows.slice(0, Math.max(0, count(x))), serialized: input.serialized });
}

interface Ordering {
  value: ScalarFn;
  descending: boolean;
  nullsFirst: boolean;
}

function ordering(item: SyntaxNode, compiler: Compiler): Ordering {
  const isOrdered = kindName(item) === 'OrderedExpression';
  const clause = isOrdered ? child(item, 'Ordering') : undefined;
  const direction = clause ? tokenText(clause, 'AscOrDescKeyword') : undefined;
  const descending = direction?.toLowerCase() !== 'asc';
  const nulls = clause ? child(clause, 'NullsClause') : undefined;
  const nullsText = nulls ? tokenText(nulls, 'FirstOrLastKeyword') : undefined;
  // Kusto: ascending puts nulls first, descending puts them last, unless told otherwise.
  const nullsFirst = nullsText ? nullsText.toLowerCase() === 'first' : !descending;
  return { value: compiler.scalar(isOrdered ? child(item, 'Expression')! : item), descending, nullsFirst };
}

export function sortRows(rows: readonly Row[], orderings: readonly Ordering[], x: Exec): Row[] {
  const keyed = rows.map((row, index) => ({ row, index, keys: orderings.map((o) => o.value(row, x)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < orderings.length; i++) {
      const o = orderings[i]!;
      const av = a.keys[i] ?? null;
      const bv = b.keys[i] ?? null;
      const aNull = av === null || (typeof av === 'number' && Number.isNaN(av));
      const bNull = bv === null || (typeof bv === 'number' && Number.isNaN(bv));
      if (aNull || bNull) {
        if (aNull && bNull) continue;
        return aNull === o.nullsFirst ? -1 : 1;
      }
      const c = compare(av, bv) ?? compare(toKustoString(av), toKustoString(bv)) ?? 0;
      if (c !== 0) return o.descending ? -c : c;
    }
    return a.index - b.index;
  });
  return keyed.map((k) => k.row);
}

export function sortOrderings(node: SyntaxNode, listName: string, compiler: Compiler): Ordering[] {
  return listChild(node, listName).map((item) => ordering(item, compiler));
}

function sort(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const orderings = sortOrderings(node, 'Expressions', compiler);
  return (x, input) => ({ columns: input.columns, types: typesOf(input), rows: sortRows(input.rows, orderings, x), serialized: true });
}

function top(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const count = constantNumber(child(node, 'Expression')!, compiler);
  const byNode = child(node, 'ByExpression')!;
  const orderings = kindName(byNode) === 'List' ? listChild(node, 'ByExpression').map((i) => ordering(i, compiler)) : [ordering(byNode, compiler)];
  return (x, input) => ({ columns: input.columns, types: typesOf(input), rows: sortRows(input.rows, orderings, x).slice(0, Math.max(0, count(x))), serialized: true });
}

function distinct(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const list = listChild(node, 'Expressions');
  const star = list.length === 1 && kindName(list[0]!) === 'StarExpression';
  const output = (resultColumns(node) ?? []).map((c) => c.name);
  const items = star ? undefined : namedItems(list, compiler, (position, declared) => output[position] ?? declared ?? `Column${position + 1}`);
  return (x, input) => {
    const columns = items ? items.flatMap((i) => i.names) : input.columns;
    const baseTypes = items ? items.flatMap((i) => (i.column !== undefined ? [typesOf(input)[input.columns.indexOf(i.column)]] : i.types)) : typesOf(input);
    const seen = new Set<string>();
    const rows: Row[] = [];
    for (const row of input.rows) {
      let out: Row;
      if (items) {
        out = {};
        for (const item of items) assignItem(out, item, row, x);
      } else out = row;
      const key = columns.map((name) => valueKey(out[name] ?? null)).join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(items ? out : { ...row });
    }
    return { columns, types: resolveTypes(columns, baseTypes, rows), rows };
  };
}

const CLR_TYPES: Record<string, string> = {
  string: 'System.String',
  long: 'System.Int64',
  int: 'System.Int32',
  real: 'System.Double',
  bool: 'System.SByte',
  datetime: 'System.DateTime',
  timespan: 'System.TimeSpan',
  guid: 'System.Guid',
  dynamic: 'System.Object',
  decimal: 'System.Data.SqlTypes.SqlDecimal',
};

function getSchema(): OperatorFn {
  return (_x, input) => {
    const types = typesOf(input);
    return {
      columns: ['ColumnName', 'ColumnOrdinal', 'DataType', 'ColumnType'],
      types: ['string', 'int', 'string', 'string'],
      rows: input.columns.map((name, i) => ({ ColumnName: name, ColumnOrdinal: i, DataType: CLR_TYPES[types[i] ?? 'dynamic'] ?? 'System.Object', ColumnType: types[i] ?? 'dynamic' })),
      serialized: true,
    };
  };
}

function invoke(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const call = child(node, 'Function')!;
  const name = functionName(call);
  const binding = compiler.scope.lookup(name);
  if (binding?.kind !== 'function') return compiler.unsupported(node, `invoke of ${name}()`);
  const fn = callUserFunction(call, binding, compiler, true) as TableFn;
  return (x, input) => fn(x, input);
}

function print(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const list = listChild(node, 'Expressions');
  const output = (resultColumns(node) ?? []).map((c) => c.name);
  const items = namedItems(list, compiler, (position, declared) => output[position] ?? declared ?? `print_${position}`);
  return (x) => {
    const row: Row = {};
    for (const item of items) assignItem(row, item, {}, x);
    const columns = items.flatMap((i) => i.names);
    return { columns, types: resolveTypes(columns, items.flatMap((i) => i.types), [row]), rows: [row] };
  };
}

function datatable(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const schema = listChild(child(node, 'Schema')!, 'Columns').map((c) => ({ name: declaredName(child(c, 'Name')) ?? '', type: normalType(textOf(child(c, 'Type')!).toLowerCase()) }));
  const values = listChild(node, 'Values').map((item) => compiler.scalar(item));
  if (schema.length === 0 || values.length % schema.length !== 0) return compiler.invalid(node, 'datatable: the values do not fill whole rows');
  return (x) => {
    const rows: Row[] = [];
    for (let i = 0; i < values.length; i += schema.length) {
      const row: Row = {};
      schema.forEach((column, j) => {
        const value = values[i + j]!({}, x);
        row[column.name] = column.type === 'dynamic' ? value : value === null ? emptyValue(column.type) : convertTo(value, column.type);
      });
      rows.push(row);
    }
    return { columns: schema.map((c) => c.name), types: schema.map((c) => c.type), rows };
  };
}

/** range x from A to B step S: A, A+S, ... while not past B (numbers, datetimes or timespans). */
function range(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const name = declaredName(child(node, 'Name')) ?? 'Range';
  const from = compiler.scalar(child(node, 'From')!);
  const to = compiler.scalar(child(node, 'To')!);
  const step = compiler.scalar(child(node, 'Step')!);
  const type = columnsOf(node, compiler)[0]?.type ?? 'long';
  return (x) => {
    const list = rangeValues(from({}, x), to({}, x), step({}, x), type);
    if (list === undefined) return compiler.invalid(node, 'range: the start, end and step do not make a range');
    return { columns: [name], types: [type], rows: list.map((v) => ({ [name]: v })), serialized: true };
  };
}

const RANGE_LIMIT = 10_000_000;

function rangeValues(start: KValue, end: KValue, step: KValue, type: string): KValue[] | undefined {
  const out: KValue[] = [];
  if (start === null || end === null || step === null) return [];
  const series = (next: (i: number) => KValue | undefined): KValue[] => {
    for (let i = 0; ; i++) {
      const v = next(i);
      if (v === undefined) return out;
      if (out.length >= RANGE_LIMIT) throw new RangeError(`range: more than ${RANGE_LIMIT} rows`);
      out.push(v);
    }
  };
  const ticks = (v: KValue) => (v instanceof KDateTime || v instanceof KTimespan ? v.ticks : undefined);
  const a = ticks(start);
  const b = ticks(end);
  const s = ticks(step);
  if (a !== undefined && b !== undefined && s !== undefined) {
    if (s === 0n) return undefined;
    const make = (t: bigint): KValue => (start instanceof KDateTime ? dateTimeOrNull(t) : KTimespan.of(t));
    return series((i) => {
      const t = a + BigInt(i) * s;
      return (s > 0n ? t <= b : t >= b) ? make(t) : undefined;
    });
  }
  if (!isNumeric(start) || !isNumeric(end) || !isNumeric(step)) return undefined;
  if (type === 'long' || type === 'int') {
    const [x0, x1, d] = [BigInt(start as number | bigint), BigInt(end as number | bigint), BigInt(Math.trunc(Number(step)))];
    if (d === 0n) return undefined;
    return series((i) => {
      const v = x0 + BigInt(i) * d;
      return (d > 0n ? v <= x1 : v >= x1) ? (Number.isSafeInteger(Number(v)) ? Number(v) : v) : undefined;
    });
  }
  const [x0, x1, d] = [Number(start), Number(end), Number(step)];
  if (d === 0 || !Number.isFinite(d)) return undefined;
  return series((i) => {
    const v = x0 + i * d;
    return (d > 0 ? v <= x1 : v >= x1) ? v : undefined;
  });
}
