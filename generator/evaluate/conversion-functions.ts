import { toBool, toDateTime, toDynamic, toGuid, toInt, toLong, toReal, toTimespan } from './convert.js';
import { EvaluationError } from './evaluation-error.js';
import { fn, type ScalarFunction } from './scalar-function.js';
import { toKustoString } from './values.js';

/** The to*() conversions, parse_json and assert. */
export const CONVERSION_FUNCTIONS: Record<string, ScalarFunction> = {
  tostring: fn(1, 1, ([value]) => toKustoString(value ?? null)),
  toint: fn(1, 1, ([value]) => toInt(value ?? null)),
  tolong: fn(1, 1, ([value]) => toLong(value ?? null)),
  toreal: fn(1, 1, ([value]) => toReal(value ?? null)),
  todouble: fn(1, 1, ([value]) => toReal(value ?? null)),
  todecimal: fn(1, 1, ([value]) => toReal(value ?? null)),
  tobool: fn(1, 1, ([value]) => toBool(value ?? null)),
  toboolean: fn(1, 1, ([value]) => toBool(value ?? null)),
  todatetime: fn(1, 1, ([value]) => toDateTime(value ?? null)),
  totimespan: fn(1, 1, ([value]) => toTimespan(value ?? null)),
  totime: fn(1, 1, ([value]) => toTimespan(value ?? null)),
  toguid: fn(1, 1, ([value]) => toGuid(value ?? null)),
  /** parse_json(): a string holding JSON becomes that JSON; a value already dynamic passes as it is (parse-json-function.md). */
  parse_json: fn(1, 1, ([value], site) => toDynamic(value ?? null, site.argTypes[0] ?? 'string')),
  parsejson: fn(1, 1, ([value], site) => toDynamic(value ?? null, site.argTypes[0] ?? 'string')),
  todynamic: fn(1, 1, ([value], site) => toDynamic(value ?? null, site.argTypes[0] ?? 'string')),
  toobject: fn(1, 1, ([value], site) => toDynamic(value ?? null, site.argTypes[0] ?? 'string')),
  /** assert(condition, message): the query fails with the message when the condition is not true. */
  assert: fn(2, 2, ([condition, message]) => {
    if (condition !== true) throw new EvaluationError(`assert() failed: ${toKustoString(message ?? null)}`, { code: 'invalid' });
    return true;
  }),
};
