import type { Exec } from './compiler.js';
import type { SyntaxNode } from './syntax.js';
import type { Table } from './table.js';
import type { KValue } from './values.js';

/**
 * What a name means where it is used: a `let` value, a table, a user-defined function, or a
 * function's parameter. `local` marks values that belong to one call of a function (parameters
 * and the lets of its body): they differ from call to call, so nothing that reads them is cached.
 */
export type Binding =
  | { kind: 'scalar'; get(x: Exec): KValue; local: boolean }
  | { kind: 'table'; get(x: Exec): Table; local: boolean }
  | { kind: 'function'; declaration: SyntaxNode; scope: Scope }
  | { kind: 'pattern'; declaration: SyntaxNode; scope: Scope };

export class Scope {
  private readonly names = new Map<string, Binding>();
  constructor(readonly parent?: Scope) {}

  define(name: string, binding: Binding): void {
    this.names.set(name, binding);
  }

  lookup(name: string): Binding | undefined {
    return this.names.get(name) ?? this.parent?.lookup(name);
  }
}
