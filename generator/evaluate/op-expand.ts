import type { Compiler, Exec, OperatorFn, ScalarFn } from './compiler.js';
import { castTo } from './convert.js';
import { columnsOf, keyword, parameterNames, parameterText } from './operator-helpers.js';
import { resolveTypes, shapeCache, typesFor } from './shapes.js';
import { typeOfArgument } from './special-forms.js';
import { child, declaredName, kindName, listChild, normalType, resultColumns, type SyntaxNode } from './syntax.js';
import { typesOf, type Row, type Table } from './table.js';
import { isBag, isNumeric, newBag, type KValue } from './values.js';

/**
 * mv-expand and mv-apply (mv-expand-operator.md): each row becomes one row per element of its
 * arrays (several arrays are expanded in parallel, a shorter one giving nulls), a bag one row per
 * key (as {key: value}, or [key, value] with kind=array). A null gives one row with null; an empty
 * array or bag gives none.
 */

interface ExpandItem {
  name: string;
  value: ScalarFn;
  /** `to typeof(T)`: a cast of each element; undefined keeps dynamic. */
  type: string | undefined;
}

function expandItems(node: SyntaxNode, compiler: Compiler): ExpandItem[] {
  const output = columnsOf(node, compiler).map((c) => c.name);
  const inputNames = new Set(inputNamesOf(node));
  const fresh = output.filter((n) => !inputNames.has(n));
  return listChild(node, 'Expressions').map((item) => {
    const expression = child(item, 'Expression')!;
    const named = kindName(expression) === 'SimpleNamedExpression';
    const valueNode = named ? child(expression, 'Expression')! : expression;
    const name = named ? (declaredName(child(expression, 'Name')) ?? '') : kindName(valueNode) === 'NameReference' ? ((valueNode as Kusto.Language.Syntax.NameReference).SimpleName ?? '') : (fresh.shift() ?? 'Column1');
    const typeClause = child(item, 'ToTypeOf');
    const type = typeClause ? typeOfArgument(child(typeClause, 'TypeOf')) : undefined;
    return { name, value: compiler.scalar(valueNode), type: type === undefined ? undefined : normalType(type) };
  });
}

function inputNamesOf(node: SyntaxNode): string[] {
  const parent = node.Parent;
  const source = parent && kindName(parent) === 'PipeExpression' ? child(parent, 'Expression') : undefined;
  return (source && resultColumns(source)?.map((c) => c.name)) ?? [];
}

/** The elements one value expands to: arrays by element, bags by key, a scalar or null once, [] and {} never. */
function elementsOf(value: KValue, bagAsArray: boolean): KValue[] {
  if (Array.isArray(value)) return value;
  if (isBag(value)) return Object.entries(value).map(([k, v]) => (bagAsArray ? [k, v] : newBag([[k, v]])));
  return [value];
}

interface ExpandOptions {
  bagAsArray: boolean;
  limit: (x: Exec) => number;
  indexColumn: string | undefined;
}

function expandOptions(node: SyntaxNode, compiler: Compiler): ExpandOptions {
  const limitClause = child(node, 'RowLimitClause');
  const limitNode = limitClause && child(limitClause, 'RowLimit');
  const limitFn = limitNode ? compiler.scalar(limitNode) : undefined;
  for (const name of parameterNames(node)) {
    if (name !== 'kind' && name !== 'bagexpansion' && name !== 'with_itemindex') compiler.unsupported(node, `${keyword(node)} ${name}=`);
  }
  const kind = (parameterText(node, 'kind') ?? parameterText(node, 'bagexpansion') ?? 'bag').toLowerCase();
  return {
    bagAsArray: kind === 'array',
    limit: (x) => {
      if (!limitFn) return Number.POSITIVE_INFINITY;
      const n = limitFn({}, x);
      return isNumeric(n) ? Number(n) : compiler.invalid(limitNode!, 'the limit must be a number');
    },
    indexColumn: parameterText(node, 'with_itemindex'),
  };
}

function expandRow(row: Row, x: Exec, items: readonly ExpandItem[], options: ExpandOptions, limit: number): Row[] {
  const expanded = items.map((item) => elementsOf(item.value(row, x), options.bagAsArray));
  const count = Math.min(limit, Math.max(0, ...expanded.map((e) => e.length)));
  const out: Row[] = [];
  for (let i = 0; i < count; i++) {
    const next: Row = { ...row };
    items.forEach((item, j) => {
      const element = expanded[j]![i] ?? null;
      next[item.name] = item.type === undefined || item.type === 'dynamic' ? element : castTo(element, item.type);
    });
    if (options.indexColumn) next[options.indexColumn] = i;
    out.push(next);
  }
  return out;
}

/** The expanded table's columns: expanded columns keep their place (typed by `to typeof`), new ones and the index follow. */
function expandedShape(input: Table, items: readonly ExpandItem[], options: ExpandOptions): { columns: string[]; types: string[] } {
  const columns = [...input.columns];
  const types = [...typesOf(input)];
  for (const item of items) {
    const at = columns.indexOf(item.name);
    const type = item.type ?? 'dynamic';
    if (at === -1) {
      columns.push(item.name);
      types.push(type);
    } else types[at] = type;
  }
  if (options.indexColumn && !columns.includes(options.indexColumn)) {
    columns.push(options.indexColumn);
    types.push('long');
  }
  return { columns, types };
}

export function mvExpand(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const items = expandItems(node, compiler);
  const options = expandOptions(node, compiler);
  const shape = shapeCache((input) => expandedShape(input, items, options));
  return (x, input) => {
    const rows: Row[] = [];
    const limit = options.limit(x);
    for (const row of input.rows) for (const out of expandRow(row, x, items, options, limit)) rows.push(out);
    const out = shape(input);
    return { columns: out.columns, types: typesFor(out, rows), rows, serialized: input.serialized };
  };
}

/**
 * mv-apply runs the subquery on the expanded rows of each input row; each result row carries the
 * input row's columns, the subquery's columns winning where names meet.
 */
export function mvApply(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = columnsOf(node, compiler);
  const outputNames = output.map((c) => c.name);
  const outputTypes = output.map((c) => c.type);
  const items = expandItems(node, compiler);
  const options = expandOptions(node, compiler);
  const subquery = compiler.tabular(child(child(node, 'Subquery')!, 'Expression')!);
  const expandedShapeOf = shapeCache((input) => expandedShape(input, items, options));
  return (x, input) => {
    if (input.rows.length === 0) return { columns: outputNames, types: outputTypes, rows: [] };
    const expanded = expandedShapeOf(input);
    const shape = { columns: expanded.columns, types: expanded.types as string[] };
    const limit = options.limit(x);
    const rows: Row[] = [];
    let resultColumns: string[] = outputNames;
    for (const row of input.rows) {
      const expanded = expandRow(row, x, items, options, limit);
      const result = subquery(x, { ...shape, rows: expanded, serialized: true });
      const names = [...input.columns.filter((c) => !result.columns.includes(c)), ...result.columns];
      if (resultColumns.length === 0) resultColumns = names;
      for (const inner of result.rows) {
        const out: Row = {};
        for (const column of resultColumns) out[column] = Object.hasOwn(inner, column) && result.columns.includes(column) ? (inner[column] ?? null) : (row[column] ?? null);
        rows.push(out);
      }
    }
    const types = resultColumns === outputNames ? outputTypes : resultColumns.map(() => 'unknown');
    return { columns: resultColumns, types: resolveTypes(resultColumns, types, rows), rows };
  };
}
