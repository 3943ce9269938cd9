import { AGGREGATES, beats, type Accumulator } from './aggregates.js';
import type { Compiler, Exec, ScalarFn, TableFn } from './compiler.js';
import { join, lookup } from './compile-join.js';
import { parseOperator } from './compile-parse.js';
import { columnsOf, emptyValue, inputColumnsOf, keyword, names, parameterText, pick, type OperatorFn } from './operator-helpers.js';
import { child, kindName, listChild, textOf, tokenText, type SyntaxNode } from './syntax.js';
import type { Row, Table } from './table.js';
import { compare, isBag, KDateTime, KTimespan, toKustoString, valueKey, type KValue } from './values.js';

const SOURCE_OPERATORS = new Set(['PrintOperator', 'DataTableExpression', 'UnionOperator']);

/** Compiles a tabular expression: a table, a let, a pipe of operators, print, datatable, union. */
export function compileTabular(node: SyntaxNode, compiler: Compiler): TableFn {
  const kind = kindName(node);
  switch (kind) {
    case 'ParenthesizedExpression':
      return compiler.tabular(child(node, 'Expression')!);
    case 'MaterializeExpression':
      // A let is evaluated once per run already: materialize changes only the speed in Kusto.
      return compiler.tabular(child(node, 'Expression')!);
    case 'PipeExpression': {
      const source = compiler.tabular(child(node, 'Expression')!);
      const operator = compileOperator(child(node, 'Operator')!, compiler);
      return (x, implicit) => operator(x, source(x, implicit));
    }
    case 'NameReference':
      return tableReference(node, compiler);
    case 'FunctionCallExpression':
      return functionTable(node, compiler);
    default: {
      if (!kind.endsWith('Operator') && !SOURCE_OPERATORS.has(kind)) return compiler.fail(node, `the tabular expression ${kind} is not supported by the offline evaluator`);
      const operator = compileOperator(node, compiler);
      if (SOURCE_OPERATORS.has(kind)) return (x, implicit) => operator(x, implicit ?? { columns: [], rows: [] });
      return (x, implicit) => {
        if (!implicit) return compiler.fail(node, `'${keyword(node)}' has no input`);
        return operator(x, implicit);
      };
    }
  }
}

function tableReference(node: SyntaxNode, compiler: Compiler): TableFn {
  const name = (node as Kusto.Language.Syntax.NameReference).SimpleName ?? '';
  const binding = compiler.letBinding(name);
  if (binding) {
    if (!binding.tabular) return compiler.fail(node, `'${name}' is a scalar, not a table`);
    return (x) => x.letValue(binding.slot) as Table;
  }
  const columns = columnsOf(node, compiler);
  const empty: Table = { columns: names(columns), rows: [] };
  return (x) => x.tables.get(name) ?? empty;
}

function functionTable(node: SyntaxNode, compiler: Compiler): TableFn {
  const name = (child(node, 'Name') as Kusto.Language.Syntax.NameReference | undefined)?.SimpleName ?? '';
  if (name !== '_GetWatchlist') return compiler.fail(node, `the tabular function ${name}() is not supported by the offline evaluator`);
  const [aliasNode] = listChild(child(node, 'ArgumentList')!, 'Expressions');
  if (!aliasNode || !compiler.rowIndependent(aliasNode)) return compiler.fail(node, '_GetWatchlist() needs a constant alias');
  const alias = compiler.scalar(aliasNode);
  return (x) => {
    const key = toKustoString(alias({}, x));
    return x.watchlists.get(key) ?? compiler.fail(node, `no rows were given for the watchlist '${key}'`);
  };
}

function compileOperator(node: SyntaxNode, compiler: Compiler): OperatorFn {
  switch (kindName(node)) {
    case 'FilterOperator':
      return filter(node, compiler);
    case 'ExtendOperator':
      return extend(node, compiler);
    case 'SerializeOperator':
      // Rows are always in order here; serialize only adds the columns it names, as extend does.
      return extend(node, compiler);
    case 'ProjectOperator':
      return project(node, compiler);
    case 'ProjectAwayOperator':
    case 'ProjectKeepOperator':
    case 'ProjectReorderOperator':
      return keepColumns(node, compiler);
    case 'ProjectRenameOperator':
      return projectRename(node, compiler);
    case 'SummarizeOperator':
      return summarize(node, compiler);
    case 'UnionOperator':
      return union(node, compiler);
    case 'JoinOperator':
      return join(node, compiler);
    case 'LookupOperator':
      return lookup(node, compiler);
    case 'ParseOperator':
    case 'ParseWhereOperator':
      return parseOperator(node, compiler);
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
    case 'CountOperator':
      return (_x, input) => ({ columns: ['Count'], rows: [{ Count: input.rows.length }] });
    case 'PrintOperator':
      return print(node, compiler);
    case 'DataTableExpression':
      return datatable(node, compiler);
    default:
      return compiler.fail(node, `the operator '${keyword(node)}' is not supported by the offline evaluator`);
  }
}

function filter(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const condition = compiler.scalar(child(node, 'Condition')!);
  return (x, input) => {
    const rows: Row[] = [];
    for (const row of input.rows) if (condition(row, x) === true) rows.push(row);
    return { columns: input.columns, rows };
  };
}

/** Name and value of one `Name = expr` or `expr` item; unnamed items take the analyser's name. */
interface NamedItem {
  name: string | undefined;
  value: ScalarFn;
}

function namedItem(item: SyntaxNode, compiler: Compiler): NamedItem {
  if (kindName(item) === 'SimpleNamedExpression') {
    const name = (child(item, 'Name') as Kusto.Language.Syntax.NameDeclaration | undefined)?.SimpleName ?? undefined;
    return { name, value: compiler.scalar(child(item, 'Expression')!) };
  }
  if (kindName(item) === 'CompoundNamedExpression') compiler.fail(item, 'assigning to several names at once is not supported by the offline evaluator');
  const name = kindName(item) === 'NameReference' ? ((item as Kusto.Language.Syntax.NameReference).SimpleName ?? undefined) : undefined;
  return { name, value: compiler.scalar(item) };
}

function extend(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = names(columnsOf(node, compiler));
  const known = new Set(names(inputColumnsOf(node)));
  const list = listChild(node, 'Expressions').map((item) => namedItem(item, compiler));
  const declared = new Set(list.map((item) => item.name).filter((n): n is string => n !== undefined));
  const generated = output.filter((n) => !known.has(n) && !declared.has(n));
  const assigned = list.map((item) => ({ name: item.name ?? generated.shift() ?? compiler.fail(node, 'extend: cannot name a computed column'), value: item.value }));
  return (x, input) => {
    const rows = input.rows.map((row) => {
      const out: Row = { ...row };
      // Later items see earlier ones: `extend a = 1, b = a + 1`.
      for (const item of assigned) out[item.name] = item.value(out, x);
      return out;
    });
    return { columns: output, rows };
  };
}

function project(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = names(columnsOf(node, compiler));
  const list = listChild(node, 'Expressions').map((item) => namedItem(item, compiler));
  if (list.length !== output.length) return compiler.fail(node, 'project with wildcards is not supported by the offline evaluator');
  return (x, input) => ({
    columns: output,
    rows: input.rows.map((row) => {
      const out: Row = {};
      for (let i = 0; i < output.length; i++) out[output[i]!] = list[i]!.value(row, x);
      return out;
    }),
  });
}

function keepColumns(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = names(columnsOf(node, compiler));
  return (_x, input) => ({ columns: output, rows: input.rows.map((row) => pick(row, output)) });
}

function projectRename(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = names(columnsOf(node, compiler));
  const renames = new Map<string, string>();
  for (const item of listChild(node, 'Expressions')) {
    const to = (child(item, 'Name') as Kusto.Language.Syntax.NameDeclaration | undefined)?.SimpleName;
    const from = (child(item, 'Expression') as Kusto.Language.Syntax.NameReference | undefined)?.SimpleName;
    if (!to || !from) return compiler.fail(item, 'project-rename needs New = Old');
    renames.set(to, from);
  }
  return (_x, input) => ({
    columns: output,
    rows: input.rows.map((row) => {
      const out: Row = {};
      for (const column of output) out[column] = row[renames.get(column) ?? column] ?? null;
      return out;
    }),
  });
}

interface AggregateItem {
  kind: 'plain';
  name: string;
  create: () => Accumulator;
  args: ScalarFn[];
}
interface ArgExtremeItem {
  kind: 'arg';
  sign: 1 | -1;
  by: ScalarFn;
  /** Output columns: the first holds the extreme value, the others come from the row that has it. */
  columns: string[];
  others: ScalarFn[] | 'star';
}

function aggregateCall(expression: SyntaxNode, compiler: Compiler): { name: string; args: SyntaxNode[] } {
  if (kindName(expression) !== 'FunctionCallExpression') return compiler.fail(expression, 'summarize needs an aggregation function here');
  const name = (child(expression, 'Name') as Kusto.Language.Syntax.NameReference | undefined)?.SimpleName ?? '';
  return { name, args: listChild(child(expression, 'ArgumentList')!, 'Expressions') };
}

function summarize(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = names(columnsOf(node, compiler));
  const byClause = child(node, 'ByClause');
  const byItems = byClause ? listChild(byClause, 'Expressions').map((item) => namedItem(item, compiler)) : [];
  const aggregateNodes = listChild(node, 'Aggregates');
  const argCount = aggregateNodes.filter((item) => /^arg_(max|min)$/.test(aggregateCall(kindName(item) === 'SimpleNamedExpression' ? child(item, 'Expression')! : item, compiler).name)).length;
  if (argCount > 1) return compiler.fail(node, 'more than one arg_max/arg_min in one summarize is not supported by the offline evaluator');
  const argWidth = output.length - byItems.length - (aggregateNodes.length - argCount);
  let at = byItems.length;
  const aggregates: (AggregateItem | ArgExtremeItem)[] = aggregateNodes.map((item) => {
    const expression = kindName(item) === 'SimpleNamedExpression' ? child(item, 'Expression')! : item;
    const call = aggregateCall(expression, compiler);
    if (call.name === 'arg_max' || call.name === 'arg_min') {
      const columns = output.slice(at, at + argWidth);
      at += argWidth;
      const [byNode, ...rest] = call.args;
      if (!byNode) return compiler.fail(expression, `${call.name}() needs an expression`);
      const star = rest.length === 1 && kindName(rest[0]!) === 'StarExpression';
      return { kind: 'arg', sign: call.name === 'arg_max' ? 1 : -1, by: compiler.scalar(byNode), columns, others: star ? 'star' : rest.map((r) => namedItem(r, compiler).value) };
    }
    const fn = AGGREGATES[call.name];
    if (!fn) return compiler.fail(expression, `the aggregation ${call.name}() is not supported by the offline evaluator`);
    if (call.args.length < fn.minArgs || call.args.length > fn.maxArgs) return compiler.fail(expression, `${call.name}() takes ${fn.minArgs} to ${fn.maxArgs} arguments`);
    return { kind: 'plain', name: output[at++]!, create: () => fn.create(), args: call.args.map((arg) => compiler.scalar(arg)) };
  });
  const byNames = output.slice(0, byItems.length);

  interface Group {
    keys: KValue[];
    accumulators: (Accumulator | undefined)[];
    best: KValue | undefined;
    bestRow: Row | undefined;
  }
  const newGroup = (keys: KValue[]): Group => ({ keys, accumulators: aggregates.map((a) => (a.kind === 'plain' ? a.create() : undefined)), best: undefined, bestRow: undefined });
  return (x, input) => {
    const groups = new Map<string, Group>();
    // Without `by`, summarize returns one row even for no input: count() = 0, make_set() = [].
    if (byItems.length === 0) groups.set('', newGroup([]));
    for (const row of input.rows) {
      const keys = byItems.map((item) => item.value(row, x));
      const key = byItems.length === 0 ? '' : keys.map(valueKey).join('\u0000');
      let group = groups.get(key);
      if (!group) {
        group = newGroup(keys);
        groups.set(key, group);
      }
      for (let i = 0; i < aggregates.length; i++) {
        const aggregate = aggregates[i]!;
        if (aggregate.kind === 'plain') group.accumulators[i]!.add(aggregate.args.map((arg) => arg(row, x)));
        else {
          const value = aggregate.by(row, x);
          if (group.bestRow === undefined || beats(value, group.best, aggregate.sign)) {
            group.best = value;
            group.bestRow = row;
          }
        }
      }
    }
    const rows: Row[] = [];
    for (const group of groups.values()) {
      const out: Row = {};
      byNames.forEach((name, i) => (out[name] = group.keys[i] ?? null));
      aggregates.forEach((aggregate, i) => {
        if (aggregate.kind === 'plain') {
          out[aggregate.name] = group.accumulators[i]!.result();
          return;
        }
        const [first, ...rest] = aggregate.columns;
        if (first !== undefined) out[first] = group.best ?? null;
        const row = group.bestRow;
        rest.forEach((name, j) => {
          if (!row) out[name] = null;
          else if (aggregate.others === 'star') out[name] = row[name] ?? null;
          else out[name] = aggregate.others[j]!(row, x);
        });
      });
      rows.push(out);
    }
    return { columns: output, rows };
  };
}

function union(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const columns = columnsOf(node, compiler);
  const output = names(columns);
  const legs = listChild(node, 'Expressions');
  const legFns = legs.map((leg) => compiler.tabular(leg));
  let withSource: string | undefined;
  for (const parameter of listChild(node, 'Parameters')) {
    const name = (child(parameter, 'Name') as Kusto.Language.Syntax.NameDeclaration | undefined)?.SimpleName;
    const value = child(parameter, 'Expression');
    if (name === 'withsource') withSource = value ? textOf(value) : undefined;
    else if (name !== 'kind' && name !== 'isfuzzy') return compiler.fail(parameter, `union ${name}= is not supported by the offline evaluator`);
  }
  const piped = node.Parent !== null && kindName(node.Parent) === 'PipeExpression';
  const legNames = legs.map((leg, i) => (kindName(leg) === 'NameReference' ? ((leg as Kusto.Language.Syntax.NameReference).SimpleName ?? `union_arg${i}`) : `union_arg${i}`));
  return (x, input) => {
    const tables: { name: string; table: Table }[] = [];
    if (piped) tables.push({ name: 'union_arg0', table: input });
    legFns.forEach((leg, i) => tables.push({ name: legNames[i]!, table: leg(x, undefined) }));
    const rows: Row[] = [];
    for (const { name, table } of tables) {
      for (const row of table.rows) {
        const out: Row = {};
        for (const column of columns) out[column.name] = column.name === withSource ? name : (row[column.name] ?? emptyValue(column.type));
        rows.push(out);
      }
    }
    return { columns: output, rows };
  };
}

/** `to typeof(T)` is a cast, not a conversion: elements of another type become null. */
function castTo(type: string | undefined): (value: KValue) => KValue {
  switch (type) {
    case undefined:
    case 'dynamic':
      return (v) => v;
    case 'string':
      return (v) => (typeof v === 'string' ? v : null);
    case 'int':
    case 'long':
      return (v) => (typeof v === 'number' && Number.isInteger(v) ? v : null);
    case 'real':
    case 'double':
      return (v) => (typeof v === 'number' ? v : null);
    case 'bool':
    case 'boolean':
      return (v) => (typeof v === 'boolean' ? v : null);
    case 'datetime':
      return (v) => (v instanceof KDateTime ? v : null);
    case 'timespan':
      return (v) => (v instanceof KTimespan ? v : null);
    default:
      return (v) => v;
  }
}

interface ExpandItem {
  name: string;
  value: ScalarFn;
  cast: (value: KValue) => KValue;
}

function expandItems(node: SyntaxNode, compiler: Compiler): ExpandItem[] {
  return listChild(node, 'Expressions').map((item) => {
    const expression = child(item, 'Expression')!;
    const named = namedItem(expression, compiler);
    if (!named.name) return compiler.fail(item, 'name the expanded value (Name = expression)');
    const typeClause = child(item, 'ToTypeOf');
    const typeNode = typeClause ? listChild(child(typeClause, 'TypeOf')!, 'Types')[0] : undefined;
    return { name: named.name, value: named.value, cast: castTo(typeNode ? textOf(typeNode) : undefined) };
  });
}

/** The elements one value expands to: arrays by element, bags by key, null once, [] and {} never. */
function elementsOf(value: KValue, bagAsArray: boolean): KValue[] {
  if (Array.isArray(value)) return value;
  if (isBag(value)) return Object.entries(value).map(([k, v]) => (bagAsArray ? [k, v] : { [k]: v }));
  return [value];
}

function expandRow(row: Row, x: Exec, list: readonly ExpandItem[], bagAsArray: boolean, limit: number, indexColumn: string | undefined): Row[] {
  const expanded = list.map((item) => elementsOf(item.value(row, x), bagAsArray));
  const count = Math.min(limit, Math.max(0, ...expanded.map((e) => e.length)));
  const out: Row[] = [];
  for (let i = 0; i < count; i++) {
    const next: Row = { ...row };
    list.forEach((item, j) => (next[item.name] = item.cast(expanded[j]![i] ?? null)));
    if (indexColumn) next[indexColumn] = i;
    out.push(next);
  }
  return out;
}

function expandOptions(node: SyntaxNode, compiler: Compiler) {
  const limitClause = child(node, 'RowLimitClause');
  const limitNode = limitClause && child(limitClause, 'RowLimit');
  const limit = limitNode ? constantNumber(limitNode, compiler) : () => Number.POSITIVE_INFINITY;
  for (const parameter of listChild(node, 'Parameters')) {
    const name = (child(parameter, 'Name') as Kusto.Language.Syntax.NameDeclaration | undefined)?.SimpleName;
    if (name !== 'kind' && name !== 'bagexpansion' && name !== 'with_itemindex') compiler.fail(parameter, `${keyword(node)} ${name}= is not supported by the offline evaluator`);
  }
  const kind = (parameterText(node, 'kind') ?? parameterText(node, 'bagexpansion') ?? 'bag').toLowerCase();
  return { bagAsArray: kind === 'array', limit, indexColumn: parameterText(node, 'with_itemindex') };
}

function mvExpand(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = names(columnsOf(node, compiler));
  const list = expandItems(node, compiler);
  const { bagAsArray, limit, indexColumn } = expandOptions(node, compiler);
  return (x, input) => {
    const rows: Row[] = [];
    const most = limit(x);
    for (const row of input.rows) rows.push(...expandRow(row, x, list, bagAsArray, most, indexColumn));
    return { columns: output, rows };
  };
}

/**
 * mv-apply runs the subquery on the expanded values of each row and joins its result back to
 * the row: the row's columns, then the subquery's columns.
 */
function mvApply(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = names(columnsOf(node, compiler));
  const list = expandItems(node, compiler);
  const { bagAsArray, limit, indexColumn } = expandOptions(node, compiler);
  const subqueryNode = child(child(node, 'Subquery')!, 'Expression')!;
  const subquery = compiler.tabular(subqueryNode);
  const inputColumns = names(inputColumnsOf(node));
  return (x, input) => {
    const rows: Row[] = [];
    const most = limit(x);
    for (const row of input.rows) {
      const expanded = expandRow(row, x, list, bagAsArray, most, indexColumn);
      const result = subquery(x, { columns: [...inputColumns, ...list.map((i) => i.name)], rows: expanded });
      for (const inner of result.rows) {
        const out: Row = {};
        for (const column of output) out[column] = column in inner ? inner[column]! : (row[column] ?? null);
        rows.push(out);
      }
    }
    return { columns: output, rows };
  };
}

function constantNumber(node: SyntaxNode, compiler: Compiler): (x: Exec) => number {
  const value = compiler.scalar(node);
  return (x) => {
    const n = value({}, x);
    return typeof n === 'number' ? n : compiler.fail(node, 'expected a number');
  };
}

function take(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const count = constantNumber(child(node, 'Expression')!, compiler);
  return (x, input) => ({ columns: input.columns, rows: input.rows.slice(0, Math.max(0, count(x))) });
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

function sortRows(rows: readonly Row[], orderings: readonly Ordering[], x: Exec): Row[] {
  const keyed = rows.map((row, index) => ({ row, index, keys: orderings.map((o) => o.value(row, x)) }));
  keyed.sort((a, b) => {
    for (let i = 0; i < orderings.length; i++) {
      const o = orderings[i]!;
      const av = a.keys[i] ?? null;
      const bv = b.keys[i] ?? null;
      if (av === null || bv === null) {
        if (av === bv) continue;
        return (av === null) === o.nullsFirst ? -1 : 1;
      }
      const c = compare(av, bv) ?? compare(toKustoString(av), toKustoString(bv)) ?? 0;
      if (c !== 0) return o.descending ? -c : c;
    }
    return a.index - b.index;
  });
  return keyed.map((k) => k.row);
}

function sort(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const orderings = listChild(node, 'Expressions').map((item) => ordering(item, compiler));
  return (x, input) => ({ columns: input.columns, rows: sortRows(input.rows, orderings, x) });
}

function top(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const count = constantNumber(child(node, 'Expression')!, compiler);
  const by = ordering(child(node, 'ByExpression')!, compiler);
  return (x, input) => ({ columns: input.columns, rows: sortRows(input.rows, [by], x).slice(0, Math.max(0, count(x))) });
}

function distinct(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = names(columnsOf(node, compiler));
  const list = listChild(node, 'Expressions');
  const star = list.length === 1 && kindName(list[0]!) === 'StarExpression';
  const values = star ? undefined : list.map((item) => namedItem(item, compiler).value);
  return (x, input) => {
    const seen = new Set<string>();
    const rows: Row[] = [];
    for (const row of input.rows) {
      const out: Row = {};
      output.forEach((name, i) => (out[name] = values ? values[i]!(row, x) : (row[name] ?? null)));
      const key = output.map((name) => valueKey(out[name] ?? null)).join('\u0000');
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push(out);
    }
    return { columns: output, rows };
  };
}

function print(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = names(columnsOf(node, compiler));
  const list = listChild(node, 'Expressions').map((item) => namedItem(item, compiler).value);
  return (x) => {
    const row: Row = {};
    output.forEach((name, i) => (row[name] = list[i]!({}, x)));
    return { columns: output, rows: [row] };
  };
}

function datatable(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = names(columnsOf(node, compiler));
  const values = listChild(node, 'Values').map((item) => compiler.scalar(item));
  if (output.length === 0 || values.length % output.length !== 0) return compiler.fail(node, 'datatable: the values do not fill whole rows');
  return (x) => {
    const rows: Row[] = [];
    for (let i = 0; i < values.length; i += output.length) {
      const row: Row = {};
      output.forEach((name, j) => (row[name] = values[i + j]!({}, x)));
      rows.push(row);
    }
    return { columns: output, rows };
  };
}
