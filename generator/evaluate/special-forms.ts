import { arithmetic } from './arithmetic.js';
import type { Compiler, Exec, ScalarFn } from './compiler.js';
import { toScalar } from './compile-scalar.js';
import { convertTo } from './convert.js';
import { GRAPH_FORMS } from './op-graph.js';
import { binValue } from './math-functions.js';
import { kustoRegex } from './kusto-regex.js';
import { child, kindName, literalValue, resultColumns, scalarType, textOf, type SyntaxNode } from './syntax.js';
import { INGESTION_TIME, type Row } from './table.js';
import { parseJsonText } from './json-text.js';
import { compare, dynamicJson, dynamicKind, isBag, KDateTime, KTimespan, newBag, SKETCH, toKustoString, type KValue } from './values.js';

/**
 * Functions that are not plain functions of their argument values: they take a type (extract's
 * typeof()), a column name, the row itself (pack_all), the rows around it (prev, row_cumsum), or
 * evaluate only the branch they need (iff, case). Each compiles its own call.
 */
export type SpecialForm = (node: SyntaxNode, args: readonly SyntaxNode[], compiler: Compiler) => ScalarFn;

/** The type a typeof(...) argument names. */
export function typeOfArgument(node: SyntaxNode | undefined): string | undefined {
  if (!node || kindName(node) !== 'TypeOfLiteralExpression') return undefined;
  const text = textOf(node).replace(/^typeof\s*\(\s*/i, '').replace(/\s*\)$/, '');
  return text.toLowerCase();
}

const jsonPaths = new Map<string, (string | number)[] | undefined>();

/** The steps of a JSONPath in the subset Kusto supports; undefined for anything else (wildcards, slices, recursion). */
function jsonPathSteps(path: string): (string | number)[] | undefined {
  if (jsonPaths.has(path)) return jsonPaths.get(path);
  const steps: (string | number)[] = [];
  let rest = path.trim();
  let ok = rest.startsWith('$');
  rest = rest.slice(1);
  while (ok && rest.length > 0) {
    const dot = /^\.([^.[\]*'"]+)/.exec(rest);
    const quoted = /^\[\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\]/.exec(rest);
    const index = /^\[\s*(\d+)\s*\]/.exec(rest);
    const match = dot ?? quoted ?? index;
    if (!match) ok = false;
    else {
      steps.push(index ? Number(index[1]) : dot ? dot[1]!.trim() : (quoted![1] ?? quoted![2] ?? '').replace(/\\(.)/g, '$1'));
      rest = rest.slice(match[0].length);
    }
  }
  const result = ok ? steps : undefined;
  jsonPaths.set(path, result);
  return result;
}

function extractJson(node: SyntaxNode, args: readonly SyntaxNode[], compiler: Compiler): ScalarFn {
  if (args.length < 2 || args.length > 3) return compiler.invalid(node, 'extract_json() takes a JSONPath, a JSON text and optionally typeof(T)');
  const path = compiler.scalar(args[0]!);
  const source = compiler.scalar(args[1]!);
  const type = args[2] ? typeOfArgument(args[2]) : 'string';
  if (type === undefined) return compiler.invalid(args[2]!, 'the third argument of extract_json() must be typeof(type)');
  return (row, x) => {
    const text = toKustoString(path(row, x));
    const steps = jsonPathSteps(text);
    if (!steps) return compiler.unsupported(args[0]!, `the JSONPath '${text}' (Kusto supports $, .name, ['name'] and [n])`);
    const data = source(row, x);
    let value: KValue | undefined = typeof data === 'string' ? parseJsonText(data) : data;
    for (const step of steps) {
      if (value === undefined || value === null) break;
      value = typeof step === 'number' ? (Array.isArray(value) ? value[step] : undefined) : isBag(value) && Object.hasOwn(value, step) ? value[step] : undefined;
    }
    if (value === undefined || value === null) return type === 'string' ? '' : null;
    if (type === 'string') return typeof value === 'string' ? value : Array.isArray(value) || isBag(value) ? dynamicJson(value) : toKustoString(value);
    return convertTo(value, type);
  };
}

/** The window the operator walks; prev() and its kin outside one are refused, as Kusto refuses unserialized rows. */
function windowOf(x: Exec, node: SyntaxNode, compiler: Compiler) {
  return x.window ?? compiler.invalid(node, 'window functions need serialized rows (after serialize, sort, order by or top)');
}

function neighbour(direction: -1 | 1): SpecialForm {
  return (node, args, compiler) => {
    const [valueNode, offsetNode, defaultNode] = args;
    if (!valueNode) return compiler.invalid(node, `${direction < 0 ? 'prev' : 'next'}() needs a column`);
    const value = compiler.scalar(valueNode);
    const offset = offsetNode ? compiler.scalar(offsetNode) : () => 1;
    const fallback = defaultNode ? compiler.scalar(defaultNode) : () => null;
    return (row, x) => {
      const window = windowOf(x, node, compiler);
      const n = offset(row, x);
      if (typeof n !== 'number' && typeof n !== 'bigint') return null;
      const at = window.index + direction * Number(n);
      const other = window.rows[at];
      return other === undefined ? fallback(row, x) : value(other, x);
    };
  };
}

/** One value per row that carries state from the previous row (row_cumsum, row_number, ...). */
function stateful<S>(compiler: Compiler, node: SyntaxNode, step: (state: S | undefined, row: Row, x: Exec) => { state: S; value: KValue }): ScalarFn {
  const id = compiler.cacheId();
  return (row, x) => {
    const window = windowOf(x, node, compiler);
    const previous = window.index === 0 ? undefined : (window.state.get(id) as S | undefined);
    const { state, value } = step(previous, row, x);
    window.state.set(id, state);
    return value;
  };
}

export const SPECIAL_FORMS: Record<string, SpecialForm> = {
  toscalar: (node, [expression], compiler) => (expression ? toScalar(expression, compiler) : compiler.invalid(node, 'toscalar() needs an expression')),

  /** column_ifexists(name, default): the column when the operator's input has it, else the default. */
  column_ifexists: (node, [nameNode, defaultNode], compiler) => {
    if (!nameNode || !defaultNode || kindName(nameNode) !== 'StringLiteralExpression') return compiler.invalid(node, 'column_ifexists() needs a constant column name and a default');
    const name = String(literalValue(nameNode) ?? '');
    const fallback = compiler.scalar(defaultNode);
    return (row, x) => (Object.hasOwn(row, name) ? (row[name] ?? null) : fallback(row, x));
  },

  /**
   * ingestion_time(): the row's hidden $IngestionTime (set by whoever loads the rows: a replay from
   * the export's ingestion-time column, a test case from its TimeGenerated); null where no table
   * row stands behind the row any more (after project or summarize), as Kusto gives.
   */
  ingestion_time: (node, args, compiler) => (args.length === 0 ? (row: Row) => row[INGESTION_TIME] ?? null : compiler.invalid(node, 'ingestion_time() takes no arguments')),

  iff: conditional,
  iif: conditional,
  case: (node, args, compiler) => {
    if (args.length < 3 || args.length % 2 === 0) return compiler.invalid(node, 'case() takes pairs of condition and value, then a value for else');
    const fns = args.map((a) => compiler.scalar(a));
    return (row, x) => {
      for (let i = 0; i + 1 < fns.length; i += 2) if (fns[i]!(row, x) === true) return fns[i + 1]!(row, x);
      return fns[fns.length - 1]!(row, x);
    };
  },

  /** extract(regex, captureGroup, source [, typeof(T)]): the group's text, converted to T when asked. */
  extract: (node, args, compiler) => {
    if (args.length < 3 || args.length > 4) return compiler.invalid(node, 'extract() takes a regex, a capture group, a source and optionally typeof(T)');
    const [pattern, group, source] = args.slice(0, 3).map((a) => compiler.scalar(a)) as [ScalarFn, ScalarFn, ScalarFn];
    const type = args[3] ? typeOfArgument(args[3]) : 'string';
    if (type === undefined) return compiler.invalid(args[3]!, 'the fourth argument of extract() must be typeof(type)');
    return (row, x) => {
      const g = group(row, x);
      const match = kustoRegex(toKustoString(pattern(row, x))).exec(toKustoString(source(row, x)));
      const index = typeof g === 'number' ? g : typeof g === 'bigint' ? Number(g) : -1;
      const text = index >= 0 && match ? match[index] : undefined;
      if (text === undefined) return type === 'string' ? '' : null;
      return type === 'string' ? text : convertTo(text, type);
    };
  },

  /**
   * extract_json(jsonPath, json [, typeof(T)]): the value at the path (jsonpath.md: $, .name,
   * ['name'], [n]) of the JSON text; as a string unless a type is asked (an object or array as its
   * JSON text). A path or document that holds no such value gives null ("" as a string).
   */
  extract_json: extractJson,
  extractjson: extractJson,

  /** pack_all([ignore_null_empty]): the row as a property bag. */
  pack_all: (node, args, compiler) => {
    const ignore = args[0] ? compiler.scalar(args[0]) : () => false;
    const columns = inputColumns(node);
    return (row, x) => {
      const skip = ignore(row, x) === true;
      const names = columns ?? Object.keys(row);
      return newBag(names.filter((n) => !(skip && (row[n] === null || row[n] === ''))).map((n) => [n, row[n] ?? null] as const));
    };
  },

  prev: neighbour(-1),
  next: neighbour(1),

  row_number: (node, args, compiler) => {
    const start = args[0] ? compiler.scalar(args[0]) : () => 1;
    const restart = args[1] ? compiler.scalar(args[1]) : () => false;
    return stateful<number | bigint>(compiler, node, (state, row, x) => {
      const first = start(row, x);
      const from = typeof first === 'number' || typeof first === 'bigint' ? first : 1;
      const value = state === undefined || restart(row, x) === true ? from : (arithmetic('+', state, 1, 'long') as number | bigint);
      return { state: value, value };
    });
  },

  row_cumsum: (node, args, compiler) => {
    const [termNode, restartNode] = args;
    if (!termNode) return compiler.invalid(node, 'row_cumsum() needs a term');
    const term = compiler.scalar(termNode);
    const restart = restartNode ? compiler.scalar(restartNode) : () => false;
    const type = scalarType(node);
    return stateful<KValue>(compiler, node, (state, row, x) => {
      const base = state === undefined || restart(row, x) === true ? (type === 'real' ? 0 : 0) : state;
      const add = term(row, x);
      const value = add === null ? base : arithmetic('+', base, add, type);
      return { state: value, value };
    });
  },

  row_rank_dense: rank(true),
  row_rank_min: rank(false),

  row_window_session: (node, args, compiler) => {
    if (args.length < 3) return compiler.invalid(node, 'row_window_session() takes an expression and two timespans');
    const [expr, fromFirst, between] = args.slice(0, 3).map((a) => compiler.scalar(a)) as [ScalarFn, ScalarFn, ScalarFn];
    const restart = args[3] ? compiler.scalar(args[3]) : () => false;
    interface Session {
      start: KDateTime | null;
      last: KDateTime | null;
    }
    return stateful<Session>(compiler, node, (state, row, x) => {
      const value = expr(row, x);
      const when = value instanceof KDateTime ? value : null;
      const maxFirst = fromFirst(row, x);
      const maxBetween = between(row, x);
      const startsNew =
        state === undefined ||
        state.start === null ||
        state.last === null ||
        when === null ||
        restart(row, x) === true ||
        !(maxFirst instanceof KTimespan) ||
        !(maxBetween instanceof KTimespan) ||
        when.ticks - state.start.ticks > maxFirst.ticks ||
        when.ticks - state.last.ticks > maxBetween.ticks;
      const session = startsNew ? { start: when, last: when } : { start: state.start, last: when };
      return { state: session, value: session.start };
    });
  },

  /** gettype(): a value's type; for dynamic values, the kind of the value inside. */
  gettype: (node, [argNode], compiler) => {
    if (!argNode) return compiler.invalid(node, 'gettype() needs a value');
    const value = compiler.scalar(argNode);
    const type = scalarType(argNode);
    if (type !== 'dynamic' && type !== 'unknown') return () => type;
    return (row, x) => dynamicKind(value(row, x));
  },

  estimate_data_size: (node, args, compiler) => {
    const star = args.length === 1 && kindName(args[0]!) === 'StarExpression';
    const columns = star ? inputColumns(node) : undefined;
    const values = star ? undefined : args.map((a) => compiler.scalar(a));
    return (row, x) => {
      const items = values ? values.map((v) => v(row, x)) : (columns ?? Object.keys(row)).map((c) => row[c] ?? null);
      if (items.some((v) => Array.isArray(v) && SKETCH in v)) return compiler.unsupported(node, "estimate_data_size() of an hll() or tdigest() value (Kusto's own format is not documented)");
      return items.reduce<number>((total, v) => total + dataSize(v), 0);
    };
  },

  /** column_names_of(T): the names of T's columns. */
  column_names_of: (node, [tableNode], compiler) => {
    if (!tableNode) return compiler.invalid(node, 'column_names_of() needs a table');
    const table = compiler.tabular(tableNode);
    return (_row, x) => table(x, undefined).columns;
  },

  /** bin_auto(x): bin_at(x, query_bin_auto_size, query_bin_auto_at), the sizes from the query's `set` statements. */
  bin_auto: (node, [valueNode], compiler) => {
    if (!valueNode) return compiler.invalid(node, 'bin_auto() needs a value');
    const value = compiler.scalar(valueNode);
    const size = compiler.options.get('query_bin_auto_size');
    if (size === undefined) return compiler.invalid(node, 'bin_auto() needs `set query_bin_auto_size=...` before the query');
    const at = compiler.options.get('query_bin_auto_at');
    const site = { argTypes: [scalarType(valueNode)], resultType: scalarType(node) };
    return (row, x) => binValue(value(row, x), size, at, site);
  },

  rand: (node, _args, compiler) => compiler.unsupported(node, 'rand() (its results differ from run to run, so they cannot be tested offline)'),
  new_guid: (node, _args, compiler) => compiler.unsupported(node, 'new_guid() (its results differ from run to run, so they cannot be tested offline)'),
  ...GRAPH_FORMS,
  // Anomaly scoring and decomposition: series_outliers()' page gives its meaning (beyond ±1.5 is an
  // anomaly by Tukey's test) but neither its score formula nor how it takes the percentiles, and
  // series_decompose*() detect seasonality with series_periods_detect(), whose algorithm is not
  // published. Refused rather than approximated: a near miss flips an anomaly flag.
  ...Object.fromEntries(
    ['series_outliers', 'series_decompose', 'series_decompose_anomalies', 'series_decompose_forecast', 'series_periods_detect', 'series_periods_validate'].map((name) => [
      name,
      ((node, _args, compiler) => compiler.unsupported(node, `${name}() (its scores and period detection are not documented precisely enough to reproduce)`)) satisfies SpecialForm,
    ]),
  ),
};

function conditional(node: SyntaxNode, args: readonly SyntaxNode[], compiler: Compiler): ScalarFn {
  if (args.length !== 3) return compiler.invalid(node, 'iff() takes a condition, a value and an else value');
  const [condition, then, otherwise] = args.map((a) => compiler.scalar(a)) as [ScalarFn, ScalarFn, ScalarFn];
  return (row, x) => (condition(row, x) === true ? then(row, x) : otherwise(row, x));
}

function rank(dense: boolean): SpecialForm {
  return (node, args, compiler) => {
    const [termNode, restartNode] = args;
    if (!termNode) return compiler.invalid(node, 'the rank function needs a term');
    const term = compiler.scalar(termNode);
    const restart = restartNode ? compiler.scalar(restartNode) : () => false;
    interface State {
      term: KValue;
      rank: number;
      row: number;
    }
    return stateful<State>(compiler, node, (state, row, x) => {
      const value = term(row, x);
      if (state === undefined || restart(row, x) === true) return { state: { term: value, rank: 1, row: 1 }, value: 1 };
      const same = compare(value, state.term) === 0 || (value === null && state.term === null);
      const rowNumber = state.row + 1;
      const next = same ? state.rank : dense ? state.rank + 1 : rowNumber;
      return { state: { term: value, rank: next, row: rowNumber }, value: next };
    });
  };
}

/** The columns of the table the operator around `node` reads, when it stands in a pipe. */
export function inputColumns(node: SyntaxNode): string[] | undefined {
  for (let at: SyntaxNode | null = node; at; at = at.Parent) {
    const parent = at.Parent;
    if (parent && kindName(parent) === 'PipeExpression' && child(parent, 'Operator') === at) {
      const columns = resultColumns(child(parent, 'Expression')!);
      return columns && columns.length > 0 ? columns.map((c) => c.name) : undefined;
    }
  }
  return undefined;
}

/** estimate_data_size(): bytes of a value as Kusto counts them (a long 8, a string its UTF-8 length). */
function dataSize(value: KValue): number {
  if (value === null) return 0;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number' || typeof value === 'bigint' || value instanceof KDateTime || value instanceof KTimespan) return 8;
  if (typeof value === 'boolean') return 1;
  return Buffer.byteLength(toKustoString(value), 'utf8');
}

