import type { Exec } from './compiler.js';
import { toDateTime } from './convert.js';
import type { KDateTime, KValue } from './values.js';

/** Where a function is called: the analyser's types of the arguments and of the result. */
export interface CallSite {
  argTypes: readonly string[];
  resultType: string;
}

/** One scalar function of the engine, with Kusto's documented behaviour. */
export interface ScalarFunction {
  minArgs: number;
  maxArgs: number;
  /** `x` is the evaluation: ago() and now() read its clock, never the machine's. */
  call(args: KValue[], site: CallSite, x: Exec): KValue;
}

export const fn = (minArgs: number, maxArgs: number, call: ScalarFunction['call']): ScalarFunction => ({ minArgs, maxArgs, call });

/** A datetime, or text Kusto reads as one; null for anything else. */
export function asDateTime(value: KValue | undefined): KDateTime | null {
  return toDateTime(value ?? null);
}

/** An optional argument: undefined when it was left out. */
export function arg(args: readonly KValue[], index: number): KValue | undefined {
  return index < args.length ? (args[index] ?? null) : undefined;
}
