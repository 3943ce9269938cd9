import { dateTimeOrNull, isNumeric, KDateTime, KTimespan, longValue, type KValue } from './values.js';

/**
 * Kusto's arithmetic (numerical-operators.md, datetime-timespan-arithmetic.md). The analyser
 * picks the overload, so the static result type says how to compute: integer types in 64 bits
 * (a dynamic operand converted to long, as Kusto converts it), reals as doubles, and datetime and
 * timespan in 100-ns ticks. Modulo is never negative: 0 <= N % D < abs(D).
 */

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%';

/** An integer operand: a long, or a number truncated (a dynamic real under a long overload). */
export function asLong(value: KValue): number | bigint | null {
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return null;
    const truncated = Math.trunc(value);
    return Number.isSafeInteger(truncated) ? truncated : BigInt(truncated);
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

export function asReal(value: KValue): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

function longArithmetic(op: ArithmeticOp, a: number | bigint, b: number | bigint): KValue {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+': {
        const r = a + b;
        if (Number.isSafeInteger(r)) return r;
        break;
      }
      case '-': {
        const r = a - b;
        if (Number.isSafeInteger(r)) return r;
        break;
      }
      case '*': {
        const r = a * b;
        if (Number.isSafeInteger(r)) return r === 0 ? 0 : r;
        break;
      }
      case '/':
        if (b === 0) return null;
        return Math.trunc(a / b) || 0;
      case '%': {
        if (b === 0) return null;
        const m = Math.abs(b);
        return ((a % m) + m) % m;
      }
    }
  }
  const x = BigInt(a);
  const y = BigInt(b);
  switch (op) {
    case '+':
      return longValue(x + y);
    case '-':
      return longValue(x - y);
    case '*':
      return longValue(x * y);
    case '/':
      return y === 0n ? null : longValue(x / y);
    case '%': {
      if (y === 0n) return null;
      const m = y < 0n ? -y : y;
      return longValue(((x % m) + m) % m);
    }
  }
}

function realArithmetic(op: ArithmeticOp, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%': {
      const m = Math.abs(b);
      return ((a % m) + m) % m;
    }
  }
}

/** A timespan times a factor, to the nearest tick. */
export function scaleTicks(ticks: bigint, factor: number | bigint): bigint | null {
  if (typeof factor === 'bigint') return ticks * factor;
  if (!Number.isFinite(factor)) return null;
  if (Number.isInteger(factor) && Number.isSafeInteger(factor)) return ticks * BigInt(factor);
  const product = Number(ticks) * factor;
  return Number.isFinite(product) ? BigInt(Math.round(product)) : null;
}

/** One arithmetic operation; `resultType` is the analyser's type of the expression. */
export function arithmetic(op: ArithmeticOp, left: KValue, right: KValue, resultType: string): KValue {
  if (left === null || right === null) return null;
  if (left instanceof KDateTime || left instanceof KTimespan || right instanceof KDateTime || right instanceof KTimespan) return timeArithmetic(op, left, right);
  if (resultType === 'long' || resultType === 'int') {
    const a = asLong(left);
    const b = asLong(right);
    if (a === null || b === null) return null;
    const r = longArithmetic(op, a, b);
    return resultType === 'int' && r !== null ? Number(BigInt.asIntN(32, BigInt(r as number | bigint))) : r;
  }
  if (resultType === 'real' || resultType === 'decimal') {
    const a = asReal(left);
    const b = asReal(right);
    return a === null || b === null ? null : realArithmetic(op, a, b);
  }
  // dynamic or unknown operands: the values' own kinds decide, as Kusto does at run time.
  if (isNumeric(left) && isNumeric(right)) {
    const integral = (v: number | bigint) => typeof v === 'bigint' || Number.isInteger(v);
    return integral(left) && integral(right) ? longArithmetic(op, left, right) : realArithmetic(op, Number(left), Number(right));
  }
  return null;
}

function timeArithmetic(op: ArithmeticOp, left: KValue, right: KValue): KValue {
  if (left instanceof KDateTime) {
    if (right instanceof KTimespan) return op === '+' ? dateTimeOrNull(left.ticks + right.ticks) : op === '-' ? dateTimeOrNull(left.ticks - right.ticks) : null;
    if (right instanceof KDateTime) return op === '-' ? KTimespan.of(left.ticks - right.ticks) : null;
    return null;
  }
  if (left instanceof KTimespan) {
    if (right instanceof KDateTime) return op === '+' ? dateTimeOrNull(left.ticks + right.ticks) : null;
    if (right instanceof KTimespan) {
      if (op === '+') return KTimespan.of(left.ticks + right.ticks);
      if (op === '-') return KTimespan.of(left.ticks - right.ticks);
      if (op === '/') return right.ticks === 0n ? null : Number(left.ticks) / Number(right.ticks);
      if (op === '%') {
        if (right.ticks === 0n) return null;
        const m = right.ticks < 0n ? -right.ticks : right.ticks;
        return KTimespan.of(((left.ticks % m) + m) % m);
      }
      return null;
    }
    if (isNumeric(right)) {
      if (op === '*') {
        const ticks = scaleTicks(left.ticks, right);
        return ticks === null ? null : KTimespan.of(ticks);
      }
      if (op === '/') {
        const divisor = Number(right);
        if (divisor === 0) return null;
        const ticks = scaleTicks(left.ticks, 1 / divisor);
        return ticks === null ? null : KTimespan.of(typeof right === 'bigint' || Number.isInteger(divisor) ? roundedDivide(left.ticks, BigInt(divisor)) : ticks);
      }
    }
    return null;
  }
  if (isNumeric(left) && right instanceof KTimespan && op === '*') {
    const ticks = scaleTicks(right.ticks, left);
    return ticks === null ? null : KTimespan.of(ticks);
  }
  return null;
}

/** a / b to the nearest integer, halves away from zero. */
function roundedDivide(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (r === 0n) return q;
  const twice = (r < 0n ? -r : r) * 2n;
  const bAbs = b < 0n ? -b : b;
  if (twice >= bAbs) return (a < 0n) !== (b < 0n) ? q - 1n : q + 1n;
  return q;
}
