import { inferType } from './operator-helpers.js';
import type { Row, Table } from './table.js';

/**
 * An operator's output columns and types for an input schema, computed once per schema: a rule
 * replayed over thousands of windows meets the same few schemas again and again.
 */
export interface Shape {
  columns: string[];
  types: (string | undefined)[];
  /** Some type only the data can tell (an open schema): resolved per run. */
  open: boolean;
}

export function shapeCache(compute: (input: Table) => { columns: string[]; types: (string | undefined)[] }): (input: Table) => Shape {
  // One entry: the schema of the last input, compared by content (cheap next to recomputing it).
  let lastColumns: readonly string[] = [];
  let lastTypes: readonly (string | undefined)[] | undefined;
  let last: Shape | undefined;
  return (input) => {
    const types = input.types;
    if (last && sameList(input.columns, lastColumns) && (types === lastTypes || (types !== undefined && lastTypes !== undefined && sameList(types, lastTypes)))) return last;
    const computed = compute(input);
    last = { ...computed, open: computed.types.some((t) => t === undefined || t === 'unknown') };
    lastColumns = input.columns;
    lastTypes = types;
    return last;
  };
}

function sameList(a: readonly (string | undefined)[], b: readonly (string | undefined)[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function typesFor(shape: Shape, rows: readonly Row[]): string[] {
  return shape.open ? resolveTypes(shape.columns, shape.types, rows) : (shape.types as string[]);
}


/**
 * The same for an operator of several inputs (union): one entry, the inputs' schemas compared by content.
 */
export function shapesCache(compute: (inputs: readonly Table[]) => { columns: string[]; types: (string | undefined)[] }): (inputs: readonly Table[]) => Shape {
  let lastColumns: (readonly string[])[] = [];
  let lastTypes: (readonly (string | undefined)[] | undefined)[] = [];
  let last: Shape | undefined;
  return (inputs) => {
    const same =
      last !== undefined &&
      inputs.length === lastColumns.length &&
      inputs.every((t, i) => sameList(t.columns, lastColumns[i]!) && (t.types === lastTypes[i] || (t.types !== undefined && lastTypes[i] !== undefined && sameList(t.types, lastTypes[i]!))));
    if (same) return last!;
    const computed = compute(inputs);
    last = { ...computed, open: computed.types.some((t) => t === undefined || t === 'unknown') };
    lastColumns = inputs.map((t) => t.columns);
    lastTypes = inputs.map((t) => t.types);
    return last;
  };
}

/** A column's type from its values when the analyser cannot tell (an open schema). */
export function resolveTypes(columns: readonly string[], types: (string | undefined)[], rows: readonly Row[]): string[] {
  return columns.map((name, i) => {
    const t = types[i];
    if (t !== undefined && t !== 'unknown') return t;
    return inferType(rows.map((r) => r[name] ?? null));
  });
}

