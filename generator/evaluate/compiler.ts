import type { SyntaxNode } from './syntax.js';
import type { Row, Table } from './table.js';
import type { KValue } from './values.js';

/** Everything one evaluation reads: the input tables, watchlists and the clock. */
export interface Exec {
  now: number;
  tables: ReadonlyMap<string, Table>;
  watchlists: ReadonlyMap<string, Table>;
  /** The value of a `let` statement, computed on first use. */
  letValue(slot: number): KValue | Table;
  /** Row-independent sub-expressions (an `in` list, a let), computed once per evaluation. */
  cache: Map<number, unknown>;
}

export type ScalarFn = (row: Row, x: Exec) => KValue;
/** A tabular expression; `input` is the implicit input of a bare operator (mv-apply's subquery). */
export type TableFn = (x: Exec, input: Table | undefined) => Table;

export interface LetBinding {
  slot: number;
  tabular: boolean;
}

/** What the scalar and tabular compilers share (they call each other: toscalar, in (T), mv-apply). */
export interface Compiler {
  scalar(node: SyntaxNode): ScalarFn;
  tabular(node: SyntaxNode): TableFn;
  fail(node: SyntaxNode, message: string): never;
  letBinding(name: string): LetBinding | undefined;
  /** True when the expression reads no column: it is the same for every row. */
  rowIndependent(node: SyntaxNode): boolean;
  cacheId(): number;
}
