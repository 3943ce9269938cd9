import type { KValue } from './values.js';

/**
 * Which elements of a dynamic array are reals. The engine holds every number of a dynamic value
 * as a JavaScript number, so 111.0 and 111 look alike; where Kusto behaves differently for them
 * (series_fill_linear() rounds the values it fills in only in a series of integers), the array's
 * producer marks it: a dynamic literal, parse_json(), pack_array(), make_list() of reals, make-series.
 */
const realArrays = new WeakMap<readonly KValue[], 'all' | ReadonlySet<number>>();

export function markReals(array: readonly KValue[], positions: 'all' | ReadonlySet<number>): readonly KValue[] {
  if (positions === 'all' || positions.size > 0) realArrays.set(array, positions);
  return array;
}

/** True when some number of the array is a real (marked, or simply not a whole number). */
export function hasReal(array: readonly KValue[]): boolean {
  const marks = realArrays.get(array);
  if (marks === 'all') return array.some((v) => typeof v === 'number');
  if (marks) for (const i of marks) if (typeof array[i] === 'number') return true;
  return array.some((v) => typeof v === 'number' && !Number.isInteger(v));
}
