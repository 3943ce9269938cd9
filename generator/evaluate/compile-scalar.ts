import { AGGREGATES } from './aggregates.js';
import { arithmetic, type ArithmeticOp } from './arithmetic.js';
import type { Compiler, Exec, ScalarFn } from './compiler.js';
import { callUserFunction } from './compile-function.js';
import { EvaluationError } from './evaluation-error.js';
import { EDGE_LIST } from './op-graph.js';
import { SPECIAL_FORMS } from './special-forms.js';
import { kustoRegex } from './kusto-regex.js';
import { markReals } from './real-marks.js';
import { SCALAR_FUNCTIONS } from './scalar-functions.js';
import type { CallSite } from './scalar-function.js';
import { child, declaredName, kindName, listChild, literalText, literalValue, referencedSymbolKind, resultColumns, scalarType, textOf, tokenText, type SyntaxNode } from './syntax.js';
import type { Row } from './table.js';
import {
  calendarTicks,
  compare,
  dateTimeOrNull,
  equals,
  findTerm,
  flattenList,
  isBag,
  KDateTime,
  KTimespan,
  longValue,
  parseClockTimespan,
  parseDateTime,
  parseTimespanLiteral,
  setBagValue,
  toKustoString,
  valueKey,
  type KBag,
  type KValue,
} from './values.js';

const EMPTY_ROW: Row = {};

// ---- literals

function longLiteral(text: string): KValue {
  const t = text.trim();
  if (/^[-+]?0x[0-9a-f]+$/i.test(t)) {
    const negative = t.startsWith('-');
    const big = BigInt(t.replace(/^[-+]/, ''));
    return longValue(negative ? -big : big);
  }
  return longValue(BigInt(t));
}

function realLiteral(text: string): number {
  const t = text.trim().toLowerCase();
  if (t === 'nan') return Number.NaN;
  if (t === 'inf' || t === '+inf') return Number.POSITIVE_INFINITY;
  if (t === '-inf') return Number.NEGATIVE_INFINITY;
  return Number(t);
}

/** datetime(2025, 6, 14[, h, m, s]) as Kusto.Language accepts it, besides the text forms. */
function dateTimeLiteral(text: string): KDateTime | null {
  const parts = /^\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)(?:\s*,\s*(\d+)(?:\s*,\s*(\d+)(?:\s*,\s*(\d+))?)?)?\s*$/.exec(text);
  if (parts) {
    const ticks = calendarTicks(...(parts.slice(1, 7).map((p) => Number(p ?? 0)) as [number, number, number, number, number, number]));
    return ticks === null ? null : KDateTime.of(ticks);
  }
  return parseDateTime(text);
}

/** timespan(2) is two days; timespan(1.2:3:4) and timespan(5m) as written. */
function timespanLiteral(text: string): KTimespan | undefined {
  const t = text.trim();
  if (/^[-+]?\d+(\.\d+)?$/.test(t)) return parseTimespanLiteral(`${t}d`);
  return parseTimespanLiteral(t) ?? parseClockTimespan(t);
}

function literal(node: SyntaxNode, compiler: Compiler): KValue {
  const kind = kindName(node);
  const text = literalText(node) ?? '';
  if (kind === 'StringLiteralExpression' || kind === 'CompoundStringLiteralExpression') {
    const value = literalValue(node);
    return typeof value === 'string' ? value : '';
  }
  if (kind === 'DynamicExpression') return dynamicLiteral(child(node, 'Expression')!, compiler);
  if (text === 'null' || kind === 'NullLiteralExpression') return null;
  switch (kind) {
    case 'LongLiteralExpression':
      return longLiteral(text);
    case 'IntLiteralExpression':
      return Number(BigInt.asIntN(32, BigInt(longLiteral(text) as number)));
    case 'RealLiteralExpression':
    case 'DecimalLiteralExpression':
      return realLiteral(text);
    case 'BooleanLiteralExpression':
      return /^true$/i.test(text.trim());
    case 'DateTimeLiteralExpression': {
      if (text.trim() === '') return compiler.unsupported(node, 'datetime() without a value (the current time) in a literal');
      return dateTimeLiteral(text) ?? compiler.invalid(node, `the datetime literal '${text}' is not a date Kusto reads`);
    }
    case 'TimespanLiteralExpression':
      return timespanLiteral(text) ?? compiler.invalid(node, `the timespan literal '${text}' is not a timespan Kusto reads`);
    case 'GuidLiteralExpression':
      return text.trim().toLowerCase();
    case 'TypeOfLiteralExpression':
      return compiler.unsupported(node, 'typeof() outside the functions that take it');
    default:
      return compiler.unsupported(node, `the literal ${kind}`);
  }
}

/** dynamic([...]) / dynamic({...}): JSON whose values may be any Kusto literal (datetime(...), 'single quoted'). */
function dynamicLiteral(node: SyntaxNode, compiler: Compiler): KValue {
  switch (kindName(node)) {
    case 'JsonArrayExpression': {
      const items = listChild(node, 'Values');
      const values = items.map((item) => dynamicLiteral(item, compiler));
      markReals(values, new Set(items.flatMap((item, i) => (scalarType(item) === 'real' || scalarType(item) === 'decimal' ? [i] : []))));
      return values;
    }
    case 'JsonObjectExpression': {
      const bag: KBag = {};
      for (const pair of listChild(node, 'Pairs')) {
        const nameToken = pair.GetChild(0) as Kusto.Language.Syntax.SyntaxToken | null;
        const name = nameToken?.ValueText ?? '';
        setBagValue(bag, name, dynamicLiteral(child(pair, 'Value')!, compiler));
      }
      return bag;
    }
    case 'NullLiteralExpression':
      return null;
    case 'UnaryMinusExpression':
    case 'UnaryPlusExpression': {
      const value = dynamicLiteral(child(node, 'Expression')!, compiler);
      if (kindName(node) === 'UnaryPlusExpression') return value;
      if (typeof value === 'number') return -value;
      if (typeof value === 'bigint') return longValue(-value);
      if (value instanceof KTimespan) return KTimespan.of(-value.ticks);
      return compiler.invalid(node, 'a minus sign before a value that is not a number');
    }
    default:
      if ((node as Kusto.Language.Syntax.Expression).IsLiteral) return literal(node, compiler);
      return compiler.unsupported(node, `${kindName(node)} inside dynamic()`);
  }
}

// ---- operators

function stringOp(test: (left: string, right: string) => boolean, negate: boolean) {
  return (left: KValue, right: KValue): KValue => test(toKustoString(left), toKustoString(right)) !== negate;
}

const lower = (text: string) => text.toLowerCase();

/** Binary operators by their token, with Kusto's semantics (`==` case-sensitive, `=~` not, ...). */
const BINARY: Record<string, (left: KValue, right: KValue) => KValue> = {
  '==': (l, r) => equals(l, r),
  '!=': (l, r) => {
    const eq = equals(l, r);
    return eq === null ? null : !eq;
  },
  '<>': (l, r) => {
    const eq = equals(l, r);
    return eq === null ? null : !eq;
  },
  '=~': stringOp((l, r) => lower(l) === lower(r), false),
  '!~': stringOp((l, r) => lower(l) === lower(r), true),
  has: stringOp((l, r) => findTerm(lower(l), lower(r), 'term'), false),
  '!has': stringOp((l, r) => findTerm(lower(l), lower(r), 'term'), true),
  has_cs: stringOp((l, r) => findTerm(l, r, 'term'), false),
  '!has_cs': stringOp((l, r) => findTerm(l, r, 'term'), true),
  hasprefix: stringOp((l, r) => findTerm(lower(l), lower(r), 'prefix'), false),
  '!hasprefix': stringOp((l, r) => findTerm(lower(l), lower(r), 'prefix'), true),
  hasprefix_cs: stringOp((l, r) => findTerm(l, r, 'prefix'), false),
  '!hasprefix_cs': stringOp((l, r) => findTerm(l, r, 'prefix'), true),
  hassuffix: stringOp((l, r) => findTerm(lower(l), lower(r), 'suffix'), false),
  '!hassuffix': stringOp((l, r) => findTerm(lower(l), lower(r), 'suffix'), true),
  hassuffix_cs: stringOp((l, r) => findTerm(l, r, 'suffix'), false),
  '!hassuffix_cs': stringOp((l, r) => findTerm(l, r, 'suffix'), true),
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
  '<': (l, r) => ordered(l, r, (c) => c < 0),
  '<=': (l, r) => ordered(l, r, (c) => c <= 0),
  '>': (l, r) => ordered(l, r, (c) => c > 0),
  '>=': (l, r) => ordered(l, r, (c) => c >= 0),
};

function ordered(left: KValue, right: KValue, test: (c: number) => boolean): KValue {
  if (typeof left === 'number' && typeof right === 'number' && (Number.isNaN(left) || Number.isNaN(right))) return false;
  const c = compare(left, right);
  return c === undefined ? null : test(c);
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

/** d.key, d['key'], a[0], a[-1]: null when the value has no such member. */
export function member(value: KValue, key: KValue): KValue {
  // A variable length edge of a graph pattern: e.prop is the property of each of its edges.
  if (Array.isArray(value) && typeof key === 'string' && EDGE_LIST in value) return value.map((edge) => member(edge, key));
  if (Array.isArray(value)) {
    const index = typeof key === 'number' ? key : typeof key === 'bigint' ? Number(key) : Number.NaN;
    if (!Number.isInteger(index)) return null;
    return value[index < 0 ? value.length + index : index] ?? null;
  }
  if (isBag(value) && typeof key === 'string') return Object.hasOwn(value, key) ? (value[key] ?? null) : null;
  return null;
}

// ---- the compiler

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
    case 'BracketedExpression':
      return compiler.scalar(child(node, 'Expression')!);
    case 'PathExpression': {
      const target = compiler.scalar(child(node, 'Expression')!);
      const selector = child(node, 'Selector')!;
      if (kindName(selector) === 'BracketedExpression') {
        const key = compiler.scalar(child(selector, 'Expression')!);
        return (row, x) => member(target(row, x), key(row, x));
      }
      const name = declaredName(selector);
      if (name === undefined) return compiler.unsupported(selector, `the property selector ${kindName(selector)}`);
      return (row, x) => member(target(row, x), name);
    }
    case 'ElementExpression': {
      const target = compiler.scalar(child(node, 'Expression')!);
      const selector = child(node, 'Selector')!;
      const key = compiler.scalar(kindName(selector) === 'BracketedExpression' ? child(selector, 'Expression')! : selector);
      return (row, x) => member(target(row, x), key(row, x));
    }
    case 'UnaryMinusExpression':
    case 'UnaryPlusExpression': {
      const operand = compiler.scalar(child(node, 'Expression')!);
      if (kind === 'UnaryPlusExpression') return operand;
      return (row, x) => {
        const value = operand(row, x);
        if (typeof value === 'number') return -value || 0;
        if (typeof value === 'bigint') return longValue(-value);
        if (value instanceof KTimespan) return KTimespan.of(-value.ticks);
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
    case 'NotBetweenExpression':
      return between(node, kind === 'NotBetweenExpression', compiler);
    case 'StarExpression':
      return compiler.unsupported(node, '* as a value');
    default:
      break;
  }
  const operator = tokenText(node, 'Operator');
  if (operator === undefined) return compiler.unsupported(node, `the expression ${kind}`);
  const op = operator.replace(/\s+/g, ' ').toLowerCase();
  if (op === 'in' || op === 'in~' || op === '!in' || op === '!in~') return inList(node, op, compiler);
  if (op === 'has_any' || op === 'has_all') return hasList(node, op, compiler);
  if (op === 'matches regex') return matchesRegex(node, compiler);
  const leftNode = child(node, 'Left')!;
  const rightNode = child(node, 'Right')!;
  const left = compiler.scalar(leftNode);
  const right = compiler.scalar(rightNode);
  if (op === '+' || op === '-' || op === '*' || op === '/' || op === '%') {
    const resultType = scalarType(node);
    return (row, x) => arithmetic(op as ArithmeticOp, left(row, x), right(row, x), resultType);
  }
  const binary = BINARY[op];
  if (!binary) return compiler.unsupported(node, `the operator '${op}'`);
  return (row, x) => binary(left(row, x), right(row, x));
}

function between(node: SyntaxNode, negate: boolean, compiler: Compiler): ScalarFn {
  // The range is an ExpressionCouple `(First .. Second)`; a timespan Second is an offset from
  // a datetime First, as in `TimeGenerated between (start .. 1h)`.
  const value = compiler.scalar(child(node, 'Left')!);
  const range = child(node, 'Right');
  const first = range && child(range, 'First');
  const second = range && child(range, 'Second');
  if (!first || !second) return compiler.invalid(node, 'a between needs a range (low .. high)');
  const low = compiler.scalar(first);
  const high = compiler.scalar(second);
  return (row, x) => {
    const v = value(row, x);
    const lo = low(row, x);
    let hi = high(row, x);
    if (lo instanceof KDateTime && hi instanceof KTimespan) hi = dateTimeOrNull(lo.ticks + hi.ticks);
    const a = compare(v, lo);
    const b = compare(v, hi);
    if (a === undefined || b === undefined) return null;
    return (a >= 0 && b <= 0) !== negate;
  };
}

function nameReference(node: SyntaxNode, compiler: Compiler): ScalarFn {
  const name = (node as Kusto.Language.Syntax.NameReference).SimpleName ?? '';
  const symbol = referencedSymbolKind(node);
  if (symbol === 'column') return (row) => row[name] ?? null;
  const binding = compiler.scope.lookup(name);
  if (binding?.kind === 'scalar') return (_row, x) => binding.get(x);
  if (binding?.kind === 'table') return compiler.invalid(node, `'${name}' is a table, not a scalar value`);
  if (symbol === 'function' || binding?.kind === 'function') return functionCall(node, compiler);
  if (symbol === 'other' && scalarType(node) === 'unknown') {
    // A column of an open schema (after bag_unpack, evaluate): it exists only at run time.
    return (row) => {
      if (!Object.hasOwn(row, name)) throw compilerRuntimeError(compiler, node, `the column '${name}' does not exist`);
      return row[name] ?? null;
    };
  }
  return compiler.unsupported(node, `the name '${name}' (${symbol})`);
}

function compilerRuntimeError(compiler: Compiler, node: SyntaxNode, message: string): Error {
  try {
    compiler.invalid(node, message);
  } catch (error) {
    return error as Error;
  }
  return new Error(message);
}

/** Values of an `in`/has_any list; a tabular element contributes its first column. */
function listValues(node: SyntaxNode, compiler: Compiler): (row: Row, x: Exec) => KValue[] {
  const listNode = child(node, 'Right')!;
  const parts = listChild(listNode, 'Expressions').map((element) => {
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
  if (!compiler.runConstant(listNode)) return compute;
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
  // A set per list: run-constant lists (the usual case) build it once per evaluation.
  const sets = new WeakMap<KValue[], Set<string>>();
  const keyOf = (value: KValue): string | undefined => {
    if (value === null) return undefined;
    if (caseless) return toKustoString(value).toLowerCase();
    return valueKey(value);
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
    // in is an OR of ==: null in (...) is false; !in is an AND of !=: null !in (...) is true.
    const found = key !== undefined && set.has(key);
    return negate ? !found : found;
  };
}

function hasList(node: SyntaxNode, op: string, compiler: Compiler): ScalarFn {
  const left = compiler.scalar(child(node, 'Left')!);
  const values = listValues(node, compiler);
  return (row, x) => {
    const text = toKustoString(left(row, x)).toLowerCase();
    const terms = values(row, x).map((v) => toKustoString(v).toLowerCase());
    return op === 'has_any' ? terms.some((term) => findTerm(text, term, 'term')) : terms.every((term) => findTerm(text, term, 'term'));
  };
}

function matchesRegex(node: SyntaxNode, compiler: Compiler): ScalarFn {
  const left = compiler.scalar(child(node, 'Left')!);
  const right = compiler.scalar(child(node, 'Right')!);
  return (row, x) => kustoRegex(toKustoString(right(row, x))).test(toKustoString(left(row, x)));
}

export function functionName(node: SyntaxNode): string {
  const nameNode = kindName(node) === 'NameReference' ? node : child(node, 'Name')!;
  return (nameNode as Kusto.Language.Syntax.NameReference).SimpleName ?? '';
}

export function argumentNodes(node: SyntaxNode): SyntaxNode[] {
  return kindName(node) === 'NameReference' ? [] : listChild(child(node, 'ArgumentList')!, 'Expressions');
}

/** A built-in function's or aggregate's arguments in parameter order, named ones put in place. */
export function positionalArguments(node: SyntaxNode): SyntaxNode[] {
  const args = argumentNodes(node);
  return args.some((a) => kindName(a) === 'SimpleNamedExpression') ? byPosition(node, args) : args;
}

/**
 * Arguments given by name (make_set(x, MaxSize = 8)) put where the function's signature has that
 * parameter, so that every function reads its arguments by position.
 */
function byPosition(node: SyntaxNode, args: SyntaxNode[]): SyntaxNode[] {
  const signature = (node as Kusto.Language.Syntax.Expression).ReferencedSignature;
  const parameters = signature?.Parameters;
  const names: string[] = [];
  for (let i = 0; i < (parameters?.Count ?? 0); i++) names.push(parameters!.getItem(i)?.Name?.toLowerCase() ?? '');
  const placed: (SyntaxNode | undefined)[] = [];
  let position = 0;
  for (const arg of args) {
    if (kindName(arg) !== 'SimpleNamedExpression') {
      placed[position++] = arg;
      continue;
    }
    const name = declaredName(child(arg, 'Name'))?.toLowerCase() ?? '';
    const index = names.indexOf(name);
    if (index < 0 || placed[index] !== undefined) throw unsupportedArgument(arg, `the named argument '${name}'`);
    placed[index] = child(arg, 'Expression')!;
  }
  const gap = placed.findIndex((a) => a === undefined);
  if (gap >= 0 && gap < placed.length) throw unsupportedArgument(node, 'named arguments that leave an earlier optional parameter out');
  return placed as SyntaxNode[];
}

function unsupportedArgument(node: SyntaxNode, construct: string): EvaluationError {
  return new EvaluationError(`${construct} in ${textOf(node).slice(0, 60)} is not supported by the offline evaluator`, { code: 'unsupported' });
}

function functionCall(node: SyntaxNode, compiler: Compiler): ScalarFn {
  const name = functionName(node);
  const binding = compiler.scope.lookup(name);
  const argNodes = binding?.kind === 'function' ? [] : positionalArguments(node);
  if (binding?.kind === 'function') return callUserFunction(node, binding, compiler) as ScalarFn;
  if (compiler.aggregates && (AGGREGATES[name] || name === 'take_any' || name === 'any')) return compiler.aggregates.add(node);
  const special = SPECIAL_FORMS[name];
  if (special) return special(node, argNodes, compiler);
  const fn = SCALAR_FUNCTIONS[name];
  if (!fn && (AGGREGATES[name] || name === 'arg_max' || name === 'arg_min')) return compiler.invalid(node, `the aggregation ${name}() can stand only in summarize, make-series or top-nested`);
  if (!fn) return compiler.unsupported(node, `the function ${name}()`);
  if (argNodes.length < fn.minArgs || argNodes.length > fn.maxArgs) return compiler.invalid(node, `${name}() takes ${fn.minArgs} to ${fn.maxArgs} arguments`);
  const args = argNodes.map((arg) => compiler.scalar(arg));
  const site: CallSite = { argTypes: argNodes.map(scalarType), resultType: scalarType(node) };
  const call = fn.call;
  switch (args.length) {
    case 0:
      return (_row, x) => call([], site, x);
    case 1: {
      const [a] = args as [ScalarFn];
      return (row, x) => call([a(row, x)], site, x);
    }
    case 2: {
      const [a, b] = args as [ScalarFn, ScalarFn];
      return (row, x) => call([a(row, x), b(row, x)], site, x);
    }
    default:
      return (row, x) => call(args.map((a) => a(row, x)), site, x);
  }
}

/** toscalar(T): the first column of T's first row, computed once per evaluation (per call inside a function). */
export function toScalar(expression: SyntaxNode, compiler: Compiler): ScalarFn {
  // A name bound to a table (partition's key in its query) is one too, whatever type the analyser gave it.
  const boundTable = kindName(expression) === 'NameReference' && compiler.scope.lookup((expression as Kusto.Language.Syntax.NameReference).SimpleName ?? '')?.kind === 'table';
  const tabular = boundTable || resultColumns(expression) !== undefined;
  if (!tabular) {
    const scalar = compiler.scalar(expression);
    return scalar;
  }
  const table = compiler.tabular(expression);
  const evaluate = (x: Exec): KValue => {
    const t = table(x, undefined);
    const first = t.columns[0];
    return first === undefined ? null : (t.rows[0]?.[first] ?? null);
  };
  if (!compiler.runConstant(expression)) return (_row, x) => evaluate(x);
  const id = compiler.cacheId();
  return (_row, x) => {
    if (!x.cache.has(id)) x.cache.set(id, evaluate(x));
    return x.cache.get(id) as KValue;
  };
}

/** A scalar evaluated once, with no row. */
export function scalarOnce(fn: ScalarFn): (x: Exec) => KValue {
  return (x) => fn(EMPTY_ROW, x);
}
