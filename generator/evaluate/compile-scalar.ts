import { AGGREGATES } from './aggregates.js';
import type { Compiler, Exec, ScalarFn } from './compiler.js';
import { escapeRegExp, kustoRegex } from './kusto-regex.js';
import { SCALAR_FUNCTIONS } from './scalar-functions.js';
import { child, kindName, listChild, literalText, literalValue, referencedSymbolKind, resultColumns, tokenText, type SyntaxNode } from './syntax.js';
import { INGESTION_TIME, type Row } from './table.js';
import {
  compare,
  equals,
  flattenList,
  fromJson,
  hasTerm,
  isBag,
  KDateTime,
  KTimespan,
  parseClockTimespan,
  parseDateTime,
  parseTimespanLiteral,
  toKustoString,
  type KValue,
} from './values.js';

const EMPTY_ROW: Row = {};

function literal(node: SyntaxNode, compiler: Compiler): KValue {
  const kind = kindName(node);
  const text = literalText(node) ?? '';
  const value = literalValue(node);
  if (value === null && kind !== 'StringLiteralExpression' && kind !== 'DynamicExpression') return null;
  switch (kind) {
    case 'StringLiteralExpression':
      return typeof value === 'string' ? value : '';
    case 'LongLiteralExpression':
    case 'IntLiteralExpression':
    case 'RealLiteralExpression':
    case 'DecimalLiteralExpression':
      return Number(text);
    case 'BooleanLiteralExpression':
      return text.toLowerCase() === 'true';
    case 'DateTimeLiteralExpression': {
      const parsed = parseDateTime(text);
      return parsed ?? compiler.fail(node, `cannot read the datetime literal '${text}'`);
    }
    case 'TimespanLiteralExpression': {
      const parsed = parseTimespanLiteral(text) ?? parseClockTimespan(text);
      return parsed ?? compiler.fail(node, `cannot read the timespan literal '${text}'`);
    }
    case 'GuidLiteralExpression':
      return text.toLowerCase();
    case 'DynamicExpression':
      try {
        return fromJson(JSON.parse(text));
      } catch {
        return compiler.fail(node, `the dynamic literal ${text} is not plain JSON; the offline evaluator reads only JSON inside dynamic()`);
      }
    default:
      return compiler.fail(node, `the literal kind ${kind} is not supported by the offline evaluator`);
  }
}

function stringOp(test: (left: string, right: string) => boolean, negate: boolean) {
  return (left: KValue, right: KValue): KValue => {
    const result = test(toKustoString(left), toKustoString(right));
    return negate ? !result : result;
  };
}

const lower = (text: string) => text.toLowerCase();

/** Binary operators by their token, with Kusto's semantics (`==` case-sensitive, `=~` not, ...). */
const BINARY: Record<string, (left: KValue, right: KValue, resultType: string) => KValue> = {
  '==': (l, r) => equals(l, r),
  '!=': (l, r) => {
    const eq = equals(l, r);
    return eq === null ? null : !eq;
  },
  '=~': stringOp((l, r) => lower(l) === lower(r), false),
  '!~': stringOp((l, r) => lower(l) === lower(r), true),
  has: stringOp(hasTerm, false),
  '!has': stringOp(hasTerm, true),
  has_cs: stringOp((l, r) => hasTerm(l, r) && l.includes(r), false),
  '!has_cs': stringOp((l, r) => hasTerm(l, r) && l.includes(r), true),
  contains: stringOp((l, r) => lower(l).includes(lower(r)), false),
  '!contains': stringOp((l, r) => lower(l).includes(lower(r)), true),
  contains_cs: stringOp((l, r) => l.includes(r), false),
  '!contains_cs': stringOp((l, r) => l.includes(r), true),
  startswith: stringOp((l, r) => lower(l).startsWith(lower(r)), false),
  '!startswith': stringOp((l, r) => lower(l).startsWith(lower(r)), true),
  startswith_cs: stringOp((l, r) => l.startsWith(r), false),
  '!startswith_cs': stringOp((l, r) => l.startsWith(r), true),
  endswith: stringOp((l, r) => lower(l).endsWith(lower(r)), false),
  '!endswith': stringOp((l, r) => lower(l).endsWith(lower(r)), true),
  endswith_cs: stringOp((l, r) => l.endsWith(r), false),
  '!endswith_cs': stringOp((l, r) => l.endsWith(r), true),
  hasprefix: stringOp((l, r) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(r)}`, 'iu').test(l), false),
  hassuffix: stringOp((l, r) => new RegExp(`${escapeRegExp(r)}($|[^\\p{L}\\p{N}])`, 'iu').test(l), false),
  '<': (l, r) => ordered(l, r, (c) => c < 0),
  '<=': (l, r) => ordered(l, r, (c) => c <= 0),
  '>': (l, r) => ordered(l, r, (c) => c > 0),
  '>=': (l, r) => ordered(l, r, (c) => c >= 0),
  '+': (l, r) => arithmetic('+', l, r),
  '-': (l, r) => arithmetic('-', l, r),
  '*': (l, r) => arithmetic('*', l, r),
  '/': (l, r, type) => {
    const result = arithmetic('/', l, r);
    return typeof result === 'number' && (type === 'long' || type === 'int') ? Math.trunc(result) : result;
  },
  '%': (l, r) => arithmetic('%', l, r),
};

function ordered(left: KValue, right: KValue, test: (c: number) => boolean): KValue {
  const c = compare(left, right);
  return c === undefined ? null : test(c);
}

function arithmetic(op: string, left: KValue, right: KValue): KValue {
  if (left === null || right === null) return null;
  if (typeof left === 'number' && typeof right === 'number') {
    if ((op === '/' || op === '%') && right === 0) return null;
    return op === '+' ? left + right : op === '-' ? left - right : op === '*' ? left * right : op === '/' ? left / right : left % right;
  }
  if (left instanceof KDateTime && right instanceof KTimespan) return op === '+' ? new KDateTime(left.ms + right.ms) : op === '-' ? new KDateTime(left.ms - right.ms) : null;
  if (left instanceof KTimespan && right instanceof KDateTime && op === '+') return new KDateTime(left.ms + right.ms);
  if (left instanceof KDateTime && right instanceof KDateTime && op === '-') return new KTimespan(left.ms - right.ms);
  if (left instanceof KTimespan && right instanceof KTimespan) {
    if (op === '+') return new KTimespan(left.ms + right.ms);
    if (op === '-') return new KTimespan(left.ms - right.ms);
    if (op === '/') return right.ms === 0 ? null : left.ms / right.ms;
  }
  if (left instanceof KTimespan && typeof right === 'number') {
    if (op === '*') return new KTimespan(left.ms * right);
    if (op === '/') return right === 0 ? null : new KTimespan(left.ms / right);
  }
  if (typeof left === 'number' && right instanceof KTimespan && op === '*') return new KTimespan(left * right.ms);
  return null;
}

/** Kusto's three-valued logic: null and false is false, null or true is true, otherwise null. */
function and(left: KValue, right: () => KValue): KValue {
  if (left === false) return false;
  const r = right();
  if (r === false) return false;
  return left === true && r === true ? true : null;
}

function or(left: KValue, right: () => KValue): KValue {
  if (left === true) return true;
  const r = right();
  if (r === true) return true;
  return left === false && r === false ? false : null;
}

function property(value: KValue, key: KValue): KValue {
  if (Array.isArray(value) && typeof key === 'number') {
    const index = key < 0 ? value.length + key : key;
    return value[index] ?? null;
  }
  if (isBag(value) && typeof key === 'string') return Object.prototype.hasOwnProperty.call(value, key) ? value[key]! : null;
  return null;
}

/** Compiles a scalar expression to a function of the row. */
export function compileScalar(node: SyntaxNode, compiler: Compiler): ScalarFn {
  const kind = kindName(node);
  if ((node as Kusto.Language.Syntax.Expression).IsLiteral || kind === 'DynamicExpression') {
    const value = literal(node, compiler);
    return () => value;
  }
  switch (kind) {
    case 'ParenthesizedExpression':
      return compiler.scalar(child(node, 'Expression')!);
    case 'NameReference':
      return nameReference(node, compiler);
    case 'PathExpression': {
      const target = compiler.scalar(child(node, 'Expression')!);
      const selector = child(node, 'Selector')!;
      if (kindName(selector) !== 'NameReference' && kindName(selector) !== 'BracketedExpression') compiler.fail(selector, 'this property selector is not supported');
      if (kindName(selector) === 'BracketedExpression') {
        const key = compiler.scalar(child(selector, 'Expression')!);
        return (row, x) => property(target(row, x), key(row, x));
      }
      const name = (selector as Kusto.Language.Syntax.NameReference).SimpleName ?? '';
      return (row, x) => property(target(row, x), name);
    }
    case 'ElementExpression': {
      const target = compiler.scalar(child(node, 'Expression')!);
      const selector = child(node, 'Selector')!;
      const key = compiler.scalar(kindName(selector) === 'BracketedExpression' ? child(selector, 'Expression')! : selector);
      return (row, x) => property(target(row, x), key(row, x));
    }
    case 'UnaryMinusExpression':
    case 'UnaryPlusExpression': {
      const operand = compiler.scalar(child(node, 'Expression')!);
      const sign = kind === 'UnaryMinusExpression' ? -1 : 1;
      return (row, x) => {
        const value = operand(row, x);
        if (typeof value === 'number') return sign * value;
        if (value instanceof KTimespan) return new KTimespan(sign * value.ms);
        return null;
      };
    }
    case 'AndExpression':
    case 'OrExpression': {
      const left = compiler.scalar(child(node, 'Left')!);
      const right = compiler.scalar(child(node, 'Right')!);
      return kind === 'AndExpression' ? (row, x) => and(left(row, x), () => right(row, x)) : (row, x) => or(left(row, x), () => right(row, x));
    }
    case 'ToScalarExpression':
      return toScalar(child(node, 'Expression')!, compiler);
    case 'FunctionCallExpression':
      return functionCall(node, compiler);
    case 'BetweenExpression':
    case 'NotBetweenExpression': {
      // The range is an ExpressionCouple `(First .. Second)`; a timespan Second is an offset from
      // First, as in `TimeGenerated between (start .. 1h)`.
      const value = compiler.scalar(child(node, 'Left')!);
      const range = child(node, 'Right');
      const first = range && child(range, 'First');
      const second = range && child(range, 'Second');
      if (!first || !second) return compiler.fail(node, 'a between needs a range (low .. high)');
      const low = compiler.scalar(first);
      const high = compiler.scalar(second);
      const negate = kind === 'NotBetweenExpression';
      return (row, x) => {
        const v = value(row, x);
        const lo = low(row, x);
        let hi = high(row, x);
        if (lo instanceof KDateTime && hi instanceof KTimespan) hi = new KDateTime(lo.ms + hi.ms);
        const a = compare(v, lo);
        const b = compare(v, hi);
        if (a === undefined || b === undefined) return null;
        return (a >= 0 && b <= 0) !== negate;
      };
    }
    default:
      break;
  }
  const operator = tokenText(node, 'Operator');
  if (operator === undefined) return compiler.fail(node, `the expression kind ${kind} is not supported by the offline evaluator`);
  const op = operator.replace(/\s+/g, ' ');
  if (op === 'in' || op === 'in~' || op === '!in' || op === '!in~') return inList(node, op, compiler);
  if (op === 'has_any' || op === 'has_all') return hasList(node, op, compiler);
  if (op === 'matches regex') return matchesRegex(node, compiler);
  const binary = BINARY[op];
  if (!binary) return compiler.fail(node, `the operator '${op}' is not supported by the offline evaluator`);
  const left = compiler.scalar(child(node, 'Left')!);
  const right = compiler.scalar(child(node, 'Right')!);
  const resultType = (node as Kusto.Language.Syntax.Expression).ResultType?.Name ?? '';
  return (row, x) => binary(left(row, x), right(row, x), resultType);
}

function nameReference(node: SyntaxNode, compiler: Compiler): ScalarFn {
  const name = (node as Kusto.Language.Syntax.NameReference).SimpleName ?? '';
  const symbol = referencedSymbolKind(node);
  if (symbol === 'column') return (row) => row[name] ?? null;
  const binding = compiler.letBinding(name);
  if (binding && !binding.tabular) return (_row, x) => x.letValue(binding.slot) as KValue;
  if (symbol === 'function') return functionCall(node, compiler);
  return compiler.fail(node, `'${name}' is not a column or scalar value the offline evaluator knows`);
}

/** Values of an `in`/has_any list; a tabular element contributes its first column. */
function listValues(node: SyntaxNode, compiler: Compiler): (row: Row, x: Exec) => KValue[] {
  const parts = listChild(child(node, 'Right')!, 'Expressions').map((element) => {
    if (resultColumns(element)) {
      const table = compiler.tabular(element);
      return (_row: Row, x: Exec): KValue => {
        const t = table(x, undefined);
        const first = t.columns[0];
        return first === undefined ? [] : t.rows.map((r) => r[first] ?? null);
      };
    }
    return compiler.scalar(element);
  });
  const compute = (row: Row, x: Exec) => flattenList(parts.map((part) => part(row, x)));
  if (!compiler.rowIndependent(child(node, 'Right')!)) return compute;
  const id = compiler.cacheId();
  return (row, x) => {
    let cached = x.cache.get(id) as KValue[] | undefined;
    if (!cached) {
      cached = compute(row, x);
      x.cache.set(id, cached);
    }
    return cached;
  };
}

function inList(node: SyntaxNode, op: string, compiler: Compiler): ScalarFn {
  const left = compiler.scalar(child(node, 'Left')!);
  const values = listValues(node, compiler);
  const caseless = op.endsWith('~');
  const negate = op.startsWith('!');
  // A set per list: row-independent lists (the usual case) build it once per evaluation.
  const sets = new WeakMap<KValue[], Set<string>>();
  const keyOf = (value: KValue): string | undefined => {
    if (value === null) return undefined;
    if (caseless) return toKustoString(value).toLowerCase();
    if (typeof value === 'string') return `s${value}`;
    if (typeof value === 'number') return `d${value}`;
    return `j${toKustoString(value)}`;
  };
  return (row, x) => {
    const list = values(row, x);
    let set = sets.get(list);
    if (!set) {
      set = new Set();
      for (const item of list) {
        const key = keyOf(item);
        if (key !== undefined) set.add(key);
      }
      sets.set(list, set);
    }
    const key = keyOf(left(row, x));
    const found = key !== undefined && set.has(key);
    return negate ? !found : found;
  };
}

function hasList(node: SyntaxNode, op: string, compiler: Compiler): ScalarFn {
  const left = compiler.scalar(child(node, 'Left')!);
  const values = listValues(node, compiler);
  return (row, x) => {
    const text = toKustoString(left(row, x));
    const terms = values(row, x).map(toKustoString);
    return op === 'has_any' ? terms.some((term) => hasTerm(text, term)) : terms.every((term) => hasTerm(text, term));
  };
}

function matchesRegex(node: SyntaxNode, compiler: Compiler): ScalarFn {
  const left = compiler.scalar(child(node, 'Left')!);
  const rightNode = child(node, 'Right')!;
  const right = compiler.scalar(rightNode);
  return (row, x) => {
    let re: RegExp;
    try {
      re = kustoRegex(toKustoString(right(row, x)));
    } catch (error) {
      return compiler.fail(rightNode, (error as Error).message);
    }
    return re.test(toKustoString(left(row, x)));
  };
}

function functionCall(node: SyntaxNode, compiler: Compiler): ScalarFn {
  const nameNode = kindName(node) === 'NameReference' ? node : child(node, 'Name')!;
  const name = (nameNode as Kusto.Language.Syntax.NameReference).SimpleName ?? '';
  const argNodes = kindName(node) === 'NameReference' ? [] : listChild(child(node, 'ArgumentList')!, 'Expressions');
  if (name === 'toscalar') return toScalar(argNodes[0]!, compiler);
  if (name === 'column_ifexists') return columnIfExists(node, argNodes, compiler);
  // The row's hidden $IngestionTime; null once an operator (project, summarize) has dropped it, as in Kusto.
  if (name === 'ingestion_time' && argNodes.length === 0) return (row) => row[INGESTION_TIME] ?? null;
  if (AGGREGATES[name] || name === 'arg_max' || name === 'arg_min') return compiler.fail(node, `the aggregation ${name}() can stand only in summarize`);
  const fn = SCALAR_FUNCTIONS[name];
  if (!fn) return compiler.fail(node, `the function ${name}() is not supported by the offline evaluator`);
  if (argNodes.length < fn.minArgs || argNodes.length > fn.maxArgs) return compiler.fail(node, `${name}() takes ${fn.minArgs} to ${fn.maxArgs} arguments`);
  const args = argNodes.map((arg) => compiler.scalar(arg));
  if (args.length === 1) {
    const [only] = args;
    return (row, x) => fn.call([only!(row, x)], x.now);
  }
  return (row, x) => fn.call(args.map((arg) => arg(row, x)), x.now);
}

/**
 * column_ifexists(name, default): the column when the operator's input has it, else the default.
 * The input's columns come from the analyser; where it cannot tell (inside mv-apply), the row does.
 */
function columnIfExists(node: SyntaxNode, argNodes: readonly SyntaxNode[], compiler: Compiler): ScalarFn {
  const [nameNode, defaultNode] = argNodes;
  if (!nameNode || !defaultNode || kindName(nameNode) !== 'StringLiteralExpression') return compiler.fail(node, 'column_ifexists() needs a constant column name and a default');
  const name = String(literalValue(nameNode) ?? '');
  const fallback = compiler.scalar(defaultNode);
  const columns = inputColumnNames(node);
  if (columns) return columns.has(name) ? (row) => row[name] ?? null : fallback;
  return (row, x) => (Object.hasOwn(row, name) ? (row[name] ?? null) : fallback(row, x));
}

/** The columns of the table the operator around `node` reads, when it stands in a pipe. */
function inputColumnNames(node: SyntaxNode): Set<string> | undefined {
  for (let at: SyntaxNode | null = node; at; at = at.Parent) {
    const parent = at.Parent;
    if (parent && kindName(parent) === 'PipeExpression' && child(parent, 'Operator') === at) {
      const columns = resultColumns(child(parent, 'Expression')!);
      return columns ? new Set(columns.map((c) => c.name)) : undefined;
    }
  }
  return undefined;
}

/** toscalar(T): the first column of T's first row, computed once per evaluation. */
function toScalar(expression: SyntaxNode, compiler: Compiler): ScalarFn {
  const table = compiler.tabular(expression);
  const id = compiler.cacheId();
  return (_row, x) => {
    if (!x.cache.has(id)) {
      const t = table(x, undefined);
      const first = t.columns[0];
      x.cache.set(id, first === undefined ? null : (t.rows[0]?.[first] ?? null));
    }
    return x.cache.get(id) as KValue;
  };
}

/** A scalar let: evaluated once, with no row. */
export function scalarOnce(fn: ScalarFn): (x: Exec) => KValue {
  return (x) => fn(EMPTY_ROW, x);
}
