import { AGGREGATES, beats, type Accumulator, type AggregateFunction } from './aggregates.js';
import type { Compiler, Exec, OperatorFn, ScalarFn } from './compiler.js';
import { argumentNodes, functionName, positionalArguments } from './compile-scalar.js';
import { assignItem, namedItems, sortOrderings, sortRows, type NamedItem } from './compile-tabular.js';
import { columnsOf, inferType, inputColumnsOf } from './operator-helpers.js';
import { child, declaredName, kindName, listChild, scalarType, tupleColumns, type SyntaxNode } from './syntax.js';
import { typesOf, type Row, type Table } from './table.js';
import { compare, valueKey, type KValue } from './values.js';

/**
 * summarize: rows grouped by the `by` keys (one group for all rows without `by`, even when there
 * are none), each aggregate computed per group. An aggregate item may wrap aggregations in scalar
 * functions (`x = round(avg(y), 2)`): the aggregations are computed per group, then the expression.
 */

const SLOT = '\u0000slot';

/** One aggregation call inside an item: a fresh accumulator per group. */
export interface Leaf {
  create(): Accumulator;
  args: ScalarFn[];
  /** take_any(a, b) and take_any(*): the values of one row. */
  rowPick?: { star: boolean };
}

/** A compiled aggregate item: its leaf aggregations and the expression over their results. */
interface AggregateItem {
  kind: 'aggregate';
  names: string[];
  types: string[];
  leaves: Leaf[];
  /** The item's value (a tuple for percentiles(), take_any(a, b)) from a row whose slots hold the leaves' results. */
  value: ScalarFn;
  tuple: boolean;
  /** The name Kusto.Language gives a column the service names otherwise: the row also answers to it. */
  analyserName?: string;
}

/**
 * covariance(x, y) and its kin, unnamed: the service names the column covariance_x_y (all four
 * pages' outputs), where Kusto.Language says covariance_x. The result uses the service's name.
 */
function covarianceName(item: SyntaxNode, target: SyntaxNode, names: readonly string[]): string | undefined {
  if (kindName(item) !== 'FunctionCallExpression' || names.length !== 1) return undefined;
  if (!/^covariance(p)?(if)?$/.test(functionName(target))) return undefined;
  const second = argumentNodes(target)[1];
  const secondName = second && kindName(second) === 'NameReference' ? (second as Kusto.Language.Syntax.NameReference).SimpleName : undefined;
  return secondName ? `${names[0]}_${secondName}` : undefined;
}

/** arg_max/arg_min(expr, cols... | *): the extreme's value, then columns of the row that has it. */
interface ArgItem {
  kind: 'arg';
  sign: 1 | -1;
  by: ScalarFn;
  names: string[] | undefined;
  firstName: string;
  firstType: string;
  others: NamedItem[] | 'star';
  byColumn: string | undefined;
}

export function leafFor(call: SyntaxNode, compiler: Compiler): Leaf {
  const name = functionName(call);
  const argNodes = positionalArguments(call);
  const star = argNodes.length === 1 && kindName(argNodes[0]!) === 'StarExpression';
  if ((name === 'take_any' || name === 'any') && (star || argNodes.length > 1)) {
    return { create: () => ({ add: () => undefined, result: () => null }), args: star ? [] : argNodes.map((a) => compiler.scalar(a)), rowPick: { star } };
  }
  const fn: AggregateFunction | undefined = AGGREGATES[name];
  if (!fn) return compiler.unsupported(call, `the aggregation ${name}()`);
  if (argNodes.length < fn.minArgs || argNodes.length > fn.maxArgs) return compiler.invalid(call, `${name}() takes ${fn.minArgs} to ${fn.maxArgs} arguments`);
  const site = { argTypes: argNodes.map(scalarType), resultType: scalarType(call) };
  const args = argNodes.map((a) => compiler.scalar(a));
  return { create: () => fn.create(site), args };
}

/** Compiles an aggregate expression, its aggregation calls turned into readers of per-group results. */
export function aggregateExpression(expression: SyntaxNode, compiler: Compiler): { leaves: Leaf[]; value: ScalarFn } {
  const leaves: Leaf[] = [];
  const saved = compiler.aggregates;
  compiler.aggregates = {
    add(call) {
      const index = leaves.length;
      // The aggregation's own arguments are row expressions: compiled without the collector.
      compiler.aggregates = saved;
      try {
        leaves.push(leafFor(call, compiler));
      } finally {
        compiler.aggregates = collector;
      }
      const key = `${SLOT}${index}`;
      return (row) => row[key] ?? null;
    },
  };
  const collector = compiler.aggregates;
  try {
    return { leaves, value: compiler.scalar(expression) };
  } finally {
    compiler.aggregates = saved;
  }
}

function targetOf(item: SyntaxNode): SyntaxNode {
  return kindName(item) === 'SimpleNamedExpression' || kindName(item) === 'CompoundNamedExpression' ? child(item, 'Expression')! : item;
}

export function summarize(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = columnsOf(node, compiler);
  const byClause = child(node, 'ByClause');
  const byList = byClause ? listChild(byClause, 'Expressions') : [];
  const byItems = namedItems(byList, compiler, (position, declared) => output[position]?.name ?? declared ?? `Column${position + 1}`);
  const byWidth = byItems.reduce((n, i) => n + i.names.length, 0);
  const aggregateNodes = listChild(node, 'Aggregates');

  // Names: the analyser's, position by position; arg_max(x, *) is its expression, then every input
  // column that is neither a by column nor that expression.
  const inputNames = inputColumnsOf(node).map((c) => c.name);
  const byNamesStatic = byItems.flatMap((i) => i.names);
  const widths = aggregateNodes.map((item) => {
    const target = targetOf(item);
    const name = kindName(target) === 'FunctionCallExpression' ? functionName(target) : '';
    const args = kindName(target) === 'FunctionCallExpression' ? argumentNodes(target) : [];
    if ((name === 'arg_max' || name === 'arg_min') && args.some((a) => kindName(a) === 'StarExpression')) {
      const maximized = args[0] && kindName(args[0]) === 'NameReference' ? (args[0] as Kusto.Language.Syntax.NameReference).SimpleName : undefined;
      return 1 + inputNames.filter((c) => !byNamesStatic.includes(c) && c !== maximized).length;
    }
    if (name === 'arg_max' || name === 'arg_min') return args.length;
    if (kindName(item) === 'CompoundNamedExpression') return listChild(child(item, 'Names')!, 'Names').length;
    return kindName(item) === 'SimpleNamedExpression' ? 1 : (tupleColumns(target)?.length ?? 1);
  });
  const starWidth = 1;
  let at = byWidth;
  const items: (AggregateItem | ArgItem)[] = aggregateNodes.map((item, index) => {
    const target = targetOf(item);
    const width = widths[index] ?? starWidth;
    const slice = output.slice(at, at + width);
    at += width;
    const names = slice.map((c) => c.name);
    const types = slice.map((c) => c.type);
    const name = kindName(target) === 'FunctionCallExpression' ? functionName(target) : '';
    if (name === 'arg_max' || name === 'arg_min') {
      const [byNode, ...rest] = argumentNodes(target);
      if (!byNode) return compiler.invalid(target, `${name}() needs an expression`);
      const star = rest.length === 1 && kindName(rest[0]!) === 'StarExpression';
      const byColumn = kindName(byNode) === 'NameReference' ? ((byNode as Kusto.Language.Syntax.NameReference).SimpleName ?? undefined) : undefined;
      return {
        kind: 'arg',
        sign: name === 'arg_max' ? 1 : -1,
        by: compiler.scalar(byNode),
        names: output.length === 0 ? undefined : names,
        firstName: names[0] ?? byColumn ?? 'max',
        firstType: types[0] ?? scalarType(byNode),
        others: star ? 'star' : namedItems(rest, compiler, (position, declared) => names[position + 1] ?? declared ?? `Column${position + 1}`),
        byColumn,
      } satisfies ArgItem;
    }
    const compiled = aggregateExpression(target, compiler);
    const alias = covarianceName(item, target, names);
    return {
      kind: 'aggregate',
      names: alias ? [alias] : names,
      types,
      leaves: compiled.leaves,
      value: compiled.value,
      tuple: names.length > 1 || kindName(item) === 'CompoundNamedExpression',
      ...(alias ? { analyserName: names[0]! } : {}),
    } satisfies AggregateItem;
  });
  const byNames = byItems.flatMap((i) => i.names);

  interface ArgState {
    best: KValue | undefined;
    row: Row | undefined;
  }
  interface Group {
    keys: Row;
    accumulators: Accumulator[][];
    firstRows: (Row | undefined)[];
    args: ArgState[];
  }
  const newGroup = (keys: Row): Group => ({
    keys,
    accumulators: items.map((item) => (item.kind === 'aggregate' ? item.leaves.map((leaf) => leaf.create()) : [])),
    firstRows: items.map(() => undefined),
    args: items.map(() => ({ best: undefined, row: undefined })),
  });
  return (x, input) => {
    const groups = new Map<string, Group>();
    // Without `by`, summarize returns one row even for no input: count() = 0, make_set() = [].
    if (byItems.length === 0) groups.set('', newGroup({}));
    for (const row of input.rows) {
      const keys: Row = {};
      for (const item of byItems) assignItem(keys, item, row, x);
      const key = byItems.length === 0 ? '' : byNames.map((n) => valueKey(keys[n] ?? null)).join('\u0000');
      let group = groups.get(key);
      if (!group) {
        group = newGroup(keys);
        groups.set(key, group);
      }
      items.forEach((item, i) => {
        if (item.kind === 'aggregate') {
          item.leaves.forEach((leaf, j) => {
            if (leaf.rowPick) {
              if (!group!.firstRows[i]) group!.firstRows[i] = row;
            } else group!.accumulators[i]![j]!.add(leaf.args.map((arg) => arg(row, x)));
          });
          return;
        }
        const value = item.by(row, x);
        const state = group!.args[i]!;
        if (state.row === undefined || beats(value, state.best, item.sign)) {
          state.best = value;
          state.row = row;
        }
      });
    }
    const columns = [...byNames];
    const types: (string | undefined)[] = byItems.flatMap((item) => (item.column !== undefined ? [typesOf(input)[input.columns.indexOf(item.column)]] : item.types));
    const starColumns = (item: ArgItem) => input.columns.filter((c) => !byNames.includes(c) && c !== item.byColumn);
    for (const item of items) {
      if (item.kind === 'aggregate') {
        columns.push(...item.names);
        types.push(...item.types);
      } else if (item.others === 'star') {
        const rest = starColumns(item);
        const names = item.names && item.names.length === rest.length + 1 ? item.names : [item.firstName, ...rest];
        columns.push(...names);
        types.push(item.firstType, ...rest.map((c) => typesOf(input)[input.columns.indexOf(c)]));
      } else {
        columns.push(item.firstName, ...item.others.flatMap((o) => o.names));
        types.push(item.firstType, ...item.others.flatMap((o) => (o.column !== undefined ? [typesOf(input)[input.columns.indexOf(o.column)]] : o.types)));
      }
    }
    const rows: Row[] = [];
    for (const group of groups.values()) {
      const out: Row = { ...group.keys };
      items.forEach((item, i) => {
        if (item.kind === 'aggregate') {
          const slots: Row = { ...group.keys };
          item.leaves.forEach((leaf, j) => {
            if (leaf.rowPick) {
              const picked = group.firstRows[i];
              const values = leaf.rowPick.star ? input.columns.filter((c) => !byNames.includes(c)).map((c) => picked?.[c] ?? null) : leaf.args.map((arg) => (picked ? arg(picked, x) : null));
              slots[`${SLOT}${j}`] = values;
            } else slots[`${SLOT}${j}`] = group.accumulators[i]![j]!.result();
          });
          const value = item.value(slots, x);
          if (item.tuple) {
            const values = Array.isArray(value) ? value : [value];
            item.names.forEach((name, k) => (out[name] = values[k] ?? null));
          } else out[item.names[0]!] = value;
          if (item.analyserName) out[item.analyserName] = value;
          return;
        }
        const state = group.args[i]!;
        const row = state.row;
        if (item.others === 'star') {
          const rest = starColumns(item);
          const names = item.names && item.names.length === rest.length + 1 ? item.names : [item.firstName, ...rest];
          out[names[0]!] = state.best ?? null;
          rest.forEach((c, k) => (out[names[k + 1]!] = row ? (row[c] ?? null) : null));
        } else {
          out[item.firstName] = state.best ?? null;
          for (const other of item.others) {
            if (row) assignItem(out, other, row, x);
            else for (const name of other.names) out[name] = null;
          }
        }
      });
      rows.push(out);
    }
    return { columns, types: columns.map((name, i) => (types[i] && types[i] !== 'unknown' ? types[i]! : inferType(rows.map((r) => r[name] ?? null)))), rows };
  };
}


/**
 * top-nested: level by level, the rows grouped by the level's `of` expression, each group's
 * aggregate computed, the top N groups kept (by the aggregate, descending unless asc), and the next
 * level applied within each kept group. `with others = v` adds a group for the rest.
 */
export function topNested(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = columnsOf(node, compiler);
  const clauses = listChild(node, 'Clauses');
  let at = 0;
  const levels = clauses.map((clause) => {
    const countNode = child(clause, 'Expression');
    const ofNode = child(clause, 'OfExpression')!;
    const byNode = child(clause, 'ByExpression')!;
    const ordered = kindName(byNode) === 'OrderedExpression';
    const aggregateNode = ordered ? child(byNode, 'Expression')! : byNode;
    const direction = ordered ? child(byNode, 'Ordering') : undefined;
    const ascending = direction !== undefined && /\basc\b/i.test(direction.ToString(0) ?? '');
    const others = child(clause, 'WithOthersClause');
    const ofName = output[at++]?.name ?? declaredName(ofNode) ?? `Column${at}`;
    const aggregateName = output[at++]?.name ?? declaredName(aggregateNode) ?? `aggregated_${ofName}`;
    const ofExpression = kindName(ofNode) === 'SimpleNamedExpression' ? child(ofNode, 'Expression')! : ofNode;
    const target = kindName(aggregateNode) === 'SimpleNamedExpression' ? child(aggregateNode, 'Expression')! : aggregateNode;
    return {
      count: countNode ? compiler.scalar(countNode) : undefined,
      of: compiler.scalar(ofExpression),
      ofName,
      aggregateName,
      aggregate: aggregateExpression(target, compiler),
      ascending,
      others: others ? compiler.scalar(child(others, 'Expression')!) : undefined,
    };
  });
  void sortOrderings;
  void sortRows;
  return (x, input) => {
    const rows: Row[] = [];
    const descend = (level: number, subset: readonly Row[], prefix: Row) => {
      const spec = levels[level];
      if (!spec) {
        rows.push(prefix);
        return;
      }
      const groups = new Map<string, { key: KValue; rows: Row[] }>();
      for (const row of subset) {
        const key = spec.of(row, x);
        const k = valueKey(key);
        let group = groups.get(k);
        if (!group) {
          group = { key, rows: [] };
          groups.set(k, group);
        }
        group.rows.push(row);
      }
      const scored = [...groups.values()].map((group) => ({ ...group, score: aggregateOver(spec.aggregate, group.rows, x) }));
      scored.sort((a, b) => {
        const c = compareScores(a.score, b.score);
        return spec.ascending ? c : -c;
      });
      const limit = spec.count ? Number(spec.count({}, x)) : scored.length;
      const kept = scored.slice(0, limit);
      for (const group of kept) descend(level + 1, group.rows, { ...prefix, [spec.ofName]: group.key, [spec.aggregateName]: group.score });
      if (spec.others && scored.length > limit) {
        const rest = scored.slice(limit).flatMap((g) => g.rows);
        descend(level + 1, rest, { ...prefix, [spec.ofName]: spec.others({}, x), [spec.aggregateName]: aggregateOver(spec.aggregate, rest, x) });
      }
    };
    descend(0, input.rows, {});
    const columns = output.map((c) => c.name);
    return { columns, types: output.map((c) => (c.type === 'unknown' ? inferType(rows.map((r) => r[c.name] ?? null)) : c.type)), rows } satisfies Table;
  };
}

export function aggregateOver(aggregate: { leaves: Leaf[]; value: ScalarFn }, rows: readonly Row[], x: Exec): KValue {
  const accumulators = aggregate.leaves.map((leaf) => leaf.create());
  for (const row of rows) aggregate.leaves.forEach((leaf, j) => accumulators[j]!.add(leaf.args.map((arg) => arg(row, x))));
  const slots: Row = {};
  accumulators.forEach((acc, j) => (slots[`${SLOT}${j}`] = acc.result()));
  return aggregate.value(slots, x);
}

function compareScores(a: KValue, b: KValue): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'bigint' || typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  return compare(a, b) ?? 0;
}
