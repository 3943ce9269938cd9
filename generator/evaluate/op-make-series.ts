import type { Compiler, OperatorFn, ScalarFn } from './compiler.js';
import { namedItems } from './compile-tabular.js';
import { binValue } from './math-functions.js';
import { aggregateExpression, aggregateOver } from './op-summarize.js';
import { markReals } from './real-marks.js';
import { columnsOf, parameterText } from './operator-helpers.js';
import { child, kindName, listChild, scalarType, type SyntaxNode } from './syntax.js';
import type { Row } from './table.js';
import { compare, dateTimeOrNull, isNumeric, KDateTime, KTimespan, valueKey, type KValue } from './values.js';

/**
 * make-series (make-series-operator.md): rows grouped by the `by` keys and by the axis binned at
 * `from` (bin_at(axis, step, from)); per group, one array per aggregation with an element per bin
 * from `from` up to (not including) `to`, a bin without rows taking the default (0 unless given),
 * and the axis array of the bins' starts. Without `from`/`to`, each series starts at its first bin
 * with data and ends after its last. The alternate syntax `on X in range(start, stop, step)` bins
 * with bin() and includes stop. kind=nonempty gives a row of defaults for empty input.
 */

const MAX_BINS = 1_048_576;

interface SeriesAggregate {
  name: string;
  /** The aggregation gives reals (avg, stdev): so do the series' elements. */
  real: boolean;
  aggregate: ReturnType<typeof aggregateExpression>;
  fallback: ScalarFn;
}

/** start + i * step, for a datetime, timespan or number axis. */
function offset(start: KValue, step: KValue, i: number): KValue {
  if (start instanceof KDateTime && step instanceof KTimespan) return dateTimeOrNull(start.ticks + BigInt(i) * step.ticks);
  if (start instanceof KTimespan && step instanceof KTimespan) return KTimespan.of(start.ticks + BigInt(i) * step.ticks);
  if (isNumeric(start) && isNumeric(step)) return Number(start) + i * Number(step);
  return null;
}

/** How many steps `value` lies after `start` (an integer for a binned value). */
function stepsBetween(start: KValue, value: KValue, step: KValue): number {
  if ((start instanceof KDateTime || start instanceof KTimespan) && (value instanceof KDateTime || value instanceof KTimespan) && step instanceof KTimespan) return Number((value.ticks - start.ticks) / step.ticks);
  return Math.round((Number(value) - Number(start)) / Number(step));
}

/** The number of bins from start up to end (exclusive; `inclusive`: end is a bin). */
function binCount(start: KValue, end: KValue, step: KValue, inclusive: boolean): number {
  if (start === null || end === null || step === null) return 0;
  let n: number;
  if ((start instanceof KDateTime || start instanceof KTimespan) && (end instanceof KDateTime || end instanceof KTimespan) && step instanceof KTimespan) {
    if (step.ticks <= 0n) return 0;
    const span = end.ticks - start.ticks;
    n = Number(span / step.ticks) + (span % step.ticks !== 0n || inclusive ? 1 : 0);
  } else {
    const s = Number(step);
    if (!(s > 0)) return 0;
    const span = Number(end) - Number(start);
    n = Math.ceil(span / s) + (inclusive && Number.isInteger(span / s) ? 1 : 0);
  }
  return Math.max(0, Math.min(n, MAX_BINS));
}

export function makeSeries(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = columnsOf(node, compiler);
  const byClause = child(node, 'ByClause');
  const byList = byClause ? listChild(byClause, 'Expressions') : [];
  const byItems = namedItems(byList, compiler, (position, declared) => output[position]?.name ?? declared ?? `Column${position + 1}`);
  const byNames = byItems.flatMap((i) => i.names);
  const aggregateNodes = listChild(node, 'Aggregates');
  const aggregates: SeriesAggregate[] = aggregateNodes.map((item, i) => {
    const expression = child(item, 'Expression')!;
    const target = kindName(expression) === 'SimpleNamedExpression' ? child(expression, 'Expression')! : expression;
    const defaultClause = child(item, 'DefaultExpression');
    return {
      name: output[byNames.length + i]?.name ?? `Column${i + 1}`,
      aggregate: aggregateExpression(target, compiler),
      real: scalarType(target) === 'real',
      fallback: defaultClause ? compiler.scalar(child(defaultClause, 'Expression')!) : () => 0,
    };
  });
  const axisName = output[output.length - 1]?.name ?? 'axis';
  const axisNode = child(child(node, 'OnClause')!, 'Expression')!;
  const axis = compiler.scalar(axisNode);
  const axisSite = { argTypes: [], resultType: scalarType(axisNode) };
  const rangeClause = child(node, 'RangeClause')!;
  let from: ScalarFn | undefined;
  let to: ScalarFn | undefined;
  let step: ScalarFn;
  let inclusive = false;
  if (kindName(rangeClause) === 'MakeSeriesInRangeClause') {
    // on X in range(start, stop, step)
    const [a, b, c] = listChild(child(rangeClause, 'Arguments')!, 'Expressions');
    if (!a || !b || !c) return compiler.invalid(rangeClause, 'make-series: range() needs a start, a stop and a step');
    from = compiler.scalar(a);
    to = compiler.scalar(b);
    step = compiler.scalar(c);
    inclusive = true;
  } else {
    const fromClause = child(rangeClause, 'MakeSeriesFromClause');
    const toClause = child(rangeClause, 'MakeSeriesToClause');
    from = fromClause ? compiler.scalar(child(fromClause, 'Expression')!) : undefined;
    to = toClause ? compiler.scalar(child(toClause, 'Expression')!) : undefined;
    step = compiler.scalar(child(child(rangeClause, 'MakeSeriesStepClause')!, 'Expression')!);
  }
  const nonEmpty = (parameterText(node, 'kind') ?? '').toLowerCase() === 'nonempty';
  const types = output.map((c) => c.type);
  return (x, input) => {
    const stepValue = step({}, x);
    const start = from ? from({}, x) : undefined;
    const end = to ? to({}, x) : undefined;
    const bin = (value: KValue): KValue => binValue(value, stepValue, inclusive ? undefined : (start ?? undefined), axisSite);
    interface Group {
      keys: Row;
      bins: Map<string, { at: KValue; rows: Row[] }>;
    }
    const groups = new Map<string, Group>();
    for (const row of input.rows) {
      const value = axis(row, x);
      if (value === null) continue;
      if (start !== undefined && start !== null && (compare(value, start) ?? -1) < 0) continue;
      if (end !== undefined && end !== null && (compare(value, end) ?? 1) >= (inclusive ? 1 : 0)) continue;
      const at = bin(value);
      if (at === null) continue;
      const keys: Row = {};
      for (const item of byItems) {
        const v = item.value(row, x);
        if (item.tuple) item.names.forEach((n, k) => (keys[n] = Array.isArray(v) ? (v[k] ?? null) : null));
        else keys[item.names[0]!] = v;
      }
      const key = byNames.map((n) => valueKey(keys[n] ?? null)).join('\u0000');
      let group = groups.get(key);
      if (!group) {
        group = { keys, bins: new Map() };
        groups.set(key, group);
      }
      const binKey = valueKey(at);
      let cell = group.bins.get(binKey);
      if (!cell) {
        cell = { at, rows: [] };
        group.bins.set(binKey, cell);
      }
      cell.rows.push(row);
    }
    if (groups.size === 0 && nonEmpty && byItems.length === 0) groups.set('', { keys: {}, bins: new Map() });
    const rows: Row[] = [];
    for (const group of groups.values()) {
      const cells = [...group.bins.values()];
      const first = start ?? (cells.length > 0 ? cells.reduce((m, c) => ((compare(c.at, m) ?? 0) < 0 ? c.at : m), cells[0]!.at) : null);
      const last = end ?? (cells.length > 0 ? offset(cells.reduce((m, c) => ((compare(c.at, m) ?? 0) > 0 ? c.at : m), cells[0]!.at), stepValue, 1) : null);
      const firstBin = inclusive ? bin(first) : first;
      const count = binCount(firstBin, last, stepValue, inclusive && end !== undefined);
      const out: Row = { ...group.keys };
      const byIndex = new Map<number, Row[]>();
      for (const cell of cells) byIndex.set(stepsBetween(firstBin, cell.at, stepValue), cell.rows);
      for (const series of aggregates) {
        const fallback = series.fallback({}, x);
        const values = Array.from({ length: count }, (_, i) => {
          const bucket = byIndex.get(i);
          return bucket ? aggregateOver(series.aggregate, bucket, x) : fallback;
        });
        out[series.name] = series.real ? (markReals(values, 'all') as KValue[]) : values;
      }
      out[axisName] = Array.from({ length: count }, (_, i) => offset(firstBin, stepValue, i));
      rows.push(out);
    }
    return { columns: output.map((c) => c.name), types, rows };
  };
}
