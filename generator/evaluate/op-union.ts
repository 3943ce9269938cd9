import type { Compiler, OperatorFn } from './compiler.js';
import { functionName } from './compile-scalar.js';
import { emptyValue, parameterNames, parameterText } from './operator-helpers.js';
import { child, kindName, listChild, type SyntaxNode } from './syntax.js';
import { typesOf, type Row, type Table } from './table.js';
import type { KValue } from './values.js';

/**
 * union: the rows of every leg, column by column. A column whose type differs between legs becomes
 * one column per type, named Column_type (union-operator.md: SigninLogs' LocationDetails is dynamic,
 * AADNonInteractiveUserSignInLogs' a string: LocationDetails_dynamic and LocationDetails_string);
 * a leg without a column has empty cells there. kind=inner keeps only the columns every leg has.
 */
export function union(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const legs = listChild(node, 'Expressions');
  const legFns = legs.map((leg) => compiler.tabular(leg));
  const unknown = parameterNames(node).filter((p) => !['kind', 'isfuzzy', 'withsource', 'source'].includes(p) && !p.startsWith('hint.'));
  if (unknown.length > 0) return compiler.unsupported(node, `union ${unknown[0]}=`);
  const withSource = parameterText(node, 'withsource') ?? parameterText(node, 'source');
  const inner = (parameterText(node, 'kind') ?? 'outer').toLowerCase() === 'inner';
  const piped = node.Parent !== null && kindName(node.Parent) === 'PipeExpression' && child(node.Parent, 'Operator') === node;
  const legName = (leg: SyntaxNode, i: number): string => {
    const target = kindName(leg) === 'ParenthesizedExpression' ? leg : leg;
    if (kindName(target) === 'NameReference') return (target as Kusto.Language.Syntax.NameReference).SimpleName ?? `union_arg${i}`;
    if (kindName(target) === 'FunctionCallExpression') return functionName(target);
    return `union_arg${i}`;
  };
  const names = legs.map((leg, i) => legName(leg, i + (piped ? 1 : 0)));
  // The union's columns for the legs' schemas: each name's types, in the order they appear.
  const schema = (() => {
    let lastInputs: { columns: readonly string[]; types: readonly string[] }[] = [];
    let last: { name: string; type: string; source: string }[] = [];
    return (tables: readonly Table[]) => {
      if (tables.length === lastInputs.length && tables.every((t, i) => sameNames(t.columns, lastInputs[i]!.columns) && sameNames(typesOf(t), lastInputs[i]!.types))) return { columns: last };
      const order: string[] = [];
      const typesByName = new Map<string, string[]>();
      for (const table of tables) {
        const types = typesOf(table);
        table.columns.forEach((name, i) => {
          const type = types[i] ?? 'dynamic';
          const known = typesByName.get(name);
          if (!known) {
            typesByName.set(name, [type]);
            order.push(name);
          } else if (!known.includes(type)) known.push(type);
        });
      }
      const columns: { name: string; type: string; source: string }[] = [];
      for (const name of order) {
        if (inner && !tables.every((table) => table.columns.includes(name))) continue;
        const types = typesByName.get(name)!;
        for (const type of types) columns.push({ name: types.length > 1 ? `${name}_${type}` : name, type, source: name });
      }
      lastInputs = tables.map((t) => ({ columns: t.columns, types: typesOf(t) }));
      last = columns;
      return { columns };
    };
  })();
  // Per leg, which of its columns each output column reads: the same for every run with these schemas.
  interface LegPlan {
    columns: readonly string[] | undefined;
    types: readonly string[] | undefined;
    shape: unknown;
    sources: (string | undefined)[];
    empties: KValue[];
  }
  const plans: LegPlan[] = [];
  const planFor = (index: number, table: Table, columns: readonly { name: string; type: string; source: string }[]): LegPlan => {
    const types = typesOf(table);
    const known = plans[index];
    if (known && known.shape === columns && sameNames(known.columns!, table.columns) && sameNames(known.types!, types)) return known;
    const typeOf = new Map(table.columns.map((c, i) => [c, types[i] ?? 'dynamic']));
    const plan: LegPlan = {
      columns: table.columns,
      types,
      shape: columns,
      // Per output column: the leg's column it reads, or none (an empty cell).
      sources: columns.map((column) => (typeOf.get(column.source) === column.type ? column.source : undefined)),
      empties: columns.map((column) => emptyValue(column.type)),
    };
    plans[index] = plan;
    return plan;
  };
  let lastShape: unknown;
  let outColumns: string[] = [];
  let outTypes: string[] = [];
  return (x, input) => {
    const tables: { name: string; table: Table }[] = [];
    if (piped) tables.push({ name: 'union_arg0', table: input });
    legFns.forEach((leg, i) => tables.push({ name: names[i]!, table: leg(x, undefined) }));
    const columns = schema(tables.map((t) => t.table)).columns;
    if (columns !== lastShape) {
      lastShape = columns;
      outColumns = [...(withSource ? [withSource] : []), ...columns.map((c) => c.name)];
      outTypes = [...(withSource ? ['string'] : []), ...columns.map((c) => c.type)];
    }
    const rows: Row[] = [];
    tables.forEach(({ name, table }, index) => {
      if (table.rows.length === 0) return;
      const { sources, empties } = planFor(index, table, columns);
      for (const row of table.rows) {
        const out: Row = {};
        if (withSource) out[withSource] = name;
        for (let i = 0; i < columns.length; i++) {
          const source = sources[i];
          out[columns[i]!.name] = source === undefined ? empties[i]! : (row[source] ?? empties[i]!);
        }
        rows.push(out);
      }
    });
    return { columns: outColumns, types: outTypes, rows };
  };
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
