import { CONVERSION_FUNCTIONS } from './conversion-functions.js';
import { DATETIME_FUNCTIONS } from './datetime-functions.js';
import { DYNAMIC_FUNCTIONS } from './dynamic-functions.js';
import { ENCODING_FUNCTIONS } from './encoding-functions.js';
import { GEO_FUNCTIONS } from './geo-functions.js';
import { IP_FUNCTIONS } from './ip-functions.js';
import { MATH_FUNCTIONS } from './math-functions.js';
import type { ScalarFunction } from './scalar-function.js';
import { SERIES_FUNCTIONS } from './series-functions.js';
import { SKETCH_FUNCTIONS } from './sketch-functions.js';
import { UNIT_FUNCTIONS } from './unit-functions.js';
import { TEXT_FUNCTIONS } from './text-functions.js';

/** Every scalar function of the engine by name; special forms (iff, prev, extract, ...) live in special-forms.ts. */
export const SCALAR_FUNCTIONS: Record<string, ScalarFunction> = {
  ...CONVERSION_FUNCTIONS,
  ...DATETIME_FUNCTIONS,
  ...DYNAMIC_FUNCTIONS,
  ...ENCODING_FUNCTIONS,
  ...GEO_FUNCTIONS,
  ...IP_FUNCTIONS,
  ...MATH_FUNCTIONS,
  ...SERIES_FUNCTIONS,
  ...SKETCH_FUNCTIONS,
  ...UNIT_FUNCTIONS,
  ...TEXT_FUNCTIONS,
};
