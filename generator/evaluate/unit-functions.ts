import { asReal } from './arithmetic.js';
import { EvaluationError } from './evaluation-error.js';
import { fn, type ScalarFunction } from './scalar-function.js';
import { toKustoString, type KValue } from './values.js';

/**
 * convert_angle(), convert_force() and convert_temperature(): a value from one unit to another,
 * with the units the pages list (their names are those of the UnitsNet library Kusto uses).
 * A unit the engine does not know is refused by name, never guessed.
 */

/** Each unit as [to the base unit, from the base unit]. */
type Unit = [(x: number) => number, (x: number) => number];
const scale = (factor: number): Unit => [(x) => x * factor, (x) => x / factor];

const DEGREE = Math.PI / 180;
const ANGLE: Record<string, Unit> = {
  radian: scale(1),
  centiradian: scale(1e-2),
  deciradian: scale(1e-1),
  milliradian: scale(1e-3),
  microradian: scale(1e-6),
  nanoradian: scale(1e-9),
  degree: scale(DEGREE),
  millidegree: scale(DEGREE * 1e-3),
  microdegree: scale(DEGREE * 1e-6),
  nanodegree: scale(DEGREE * 1e-9),
  arcminute: scale(DEGREE / 60),
  arcsecond: scale(DEGREE / 3600),
  gradian: scale(Math.PI / 200),
  natomil: scale((2 * Math.PI) / 6400),
  revolution: scale(2 * Math.PI),
};

const G = 9.80665;
const POUND_FORCE = 4.4482216152605;
const FORCE: Record<string, Unit> = {
  newton: scale(1),
  decanewton: scale(10),
  kilonewton: scale(1e3),
  meganewton: scale(1e6),
  millinewton: scale(1e-3),
  micronewton: scale(1e-6),
  dyn: scale(1e-5),
  kilogramforce: scale(G),
  kilopond: scale(G),
  tonneforce: scale(G * 1000),
  poundforce: scale(POUND_FORCE),
  kilopoundforce: scale(POUND_FORCE * 1000),
  shorttonforce: scale(POUND_FORCE * 2000),
  ounceforce: scale(POUND_FORCE / 16),
  poundal: scale(0.138254954376),
};

const TEMPERATURE: Record<string, Unit> = {
  kelvin: scale(1),
  degreecelsius: [(c) => c + 273.15, (k) => k - 273.15],
  millidegreecelsius: [(c) => c / 1000 + 273.15, (k) => (k - 273.15) * 1000],
  degreefahrenheit: [(f) => ((f + 459.67) * 5) / 9, (k) => (k * 9) / 5 - 459.67],
  degreerankine: [(r) => (r * 5) / 9, (k) => (k * 9) / 5],
  degreedelisle: [(d) => 373.15 - (d * 2) / 3, (k) => ((373.15 - k) * 3) / 2],
  degreenewton: [(n) => (n * 100) / 33 + 273.15, (k) => ((k - 273.15) * 33) / 100],
  degreereaumur: [(r) => (r * 5) / 4 + 273.15, (k) => ((k - 273.15) * 4) / 5],
  degreeroemer: [(r) => ((r - 7.5) * 40) / 21 + 273.15, (k) => ((k - 273.15) * 21) / 40 + 7.5],
  solartemperature: scale(5778),
};

function converter(family: string, units: Record<string, Unit>): ScalarFunction {
  return fn(3, 3, ([value, from, to]) => {
    const x = asReal(value ?? null);
    if (x === null) return null;
    const unit = (name: KValue | undefined) => {
      const key = toKustoString(name ?? null).toLowerCase();
      const found = units[key];
      if (!found) throw new EvaluationError(`convert_${family}(): the unit '${toKustoString(name ?? null)}' is not supported by the offline evaluator (it knows ${Object.keys(units).join(', ')})`, { code: 'unsupported' });
      return found;
    };
    return unit(to)[1](unit(from)[0](x));
  });
}

export const UNIT_FUNCTIONS: Record<string, ScalarFunction> = {
  convert_angle: converter('angle', ANGLE),
  convert_force: converter('force', FORCE),
  convert_temperature: converter('temperature', TEMPERATURE),
};
