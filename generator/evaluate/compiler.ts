import type { Scope } from './scope.js';
import type { SyntaxNode } from './syntax.js';
import type { Row, Table } from './table.js';
import type { KDateTime, KValue } from './values.js';

/** The rows around the one being computed, for window functions (prev, next, row_number, ...). */
export interface RowWindow {
  rows: readonly Row[];
  index: number;
  /** State of stateful window functions (row_cumsum, row_number), by call site; fresh per operator run. */
  state: Map<number, unknown>;
}

/** Everything one evaluation reads: the input tables, watchlists and the clock. */
export interface Exec {
  now: KDateTime;
  tables: ReadonlyMap<string, Table>;
  watchlists: ReadonlyMap<string, Table>;
  /** The value of a top-level `let`, computed on first use. */
  letValue(slot: number): KValue | Table;
  /** Run-constant sub-expressions (an `in` list, toscalar), computed once per evaluation. */
  cache: Map<number, unknown>;
  /** Set while extend/project/where walk serialized rows: what prev() and next() read. */
  window: RowWindow | undefined;
  /** Tables named with `as`, by name, as the operator saw them in this run. */
  named: Map<string, Table>;
}

export type ScalarFn = (row: Row, x: Exec) => KValue;
/** A tabular expression; `input` is the implicit input of a bare operator (mv-apply's subquery, invoke). */
export type TableFn = (x: Exec, input: Table | undefined) => Table;
/** An operator applied to its input table. */
export type OperatorFn = (x: Exec, input: Table) => Table;

/** What the scalar and tabular compilers share (they call each other: toscalar, in (T), mv-apply). */
export interface Compiler {
  scalar(node: SyntaxNode, scope?: Scope): ScalarFn;
  tabular(node: SyntaxNode, scope?: Scope): TableFn;
  /** The scope names resolve in while compiling the current node. */
  scope: Scope;
  /** Compiles with another scope (a function body, a partition subquery). */
  within<T>(scope: Scope, compile: () => T): T;
  /** A construct the engine does not implement: an error with code 'unsupported' that names it. */
  unsupported(node: SyntaxNode, construct: string): never;
  /** A query Kusto itself would refuse, at compile time or when it runs: code 'invalid'. */
  invalid(node: SyntaxNode, message: string): never;
  /** True when the expression is the same for every row and every call: it reads no column, parameter or window. */
  runConstant(node: SyntaxNode): boolean;
  cacheId(): number;
  /** `set` statements of the query (query_bin_auto_size, ...), by name. */
  options: Map<string, KValue>;
  /**
   * While an aggregate expression of summarize is compiled (`toupper(tohex(binary_all_xor(x)))`):
   * collects its aggregation calls and compiles each to a reader of the group's result.
   */
  aggregates: AggregateCollector | undefined;
}

export interface AggregateCollector {
  add(call: SyntaxNode): ScalarFn;
}
