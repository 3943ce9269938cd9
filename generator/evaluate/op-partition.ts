import type { Compiler, OperatorFn, TableFn } from './compiler.js';
import { columnsOf, names } from './operator-helpers.js';
import { Scope } from './scope.js';
import { resolveTypes } from './shapes.js';
import { child, kindName, type SyntaxNode } from './syntax.js';
import type { Row, Table } from './table.js';
import { valueKey } from './values.js';

/**
 * partition by Column ( Subquery ): the subquery runs on each subtable of rows sharing a value of
 * Column; partition by Column { Query }: the query (with its own source) runs once per value,
 * reading it as toscalar(Column). The result is the union of the runs (partition-operator.md);
 * the hints choose how Kusto spreads the work, not the result.
 */
export function partition(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const output = columnsOf(node, compiler);
  const outputNames = names(output);
  const byNode = child(node, 'ByExpression');
  const operand = child(node, 'Operand');
  const key = byNode && kindName(byNode) === 'NameReference' ? ((byNode as Kusto.Language.Syntax.NameReference).SimpleName ?? '') : undefined;
  if (!key || !operand) return compiler.unsupported(node, "'partition' by an expression that is not a column");
  let run: (x: Parameters<OperatorFn>[0], part: Table, value: Table) => Table;
  if (kindName(operand) === 'PartitionSubquery') {
    const subquery = compiler.tabular(child(operand, 'Subquery')!);
    run = (x, part) => subquery(x, part);
  } else if (kindName(operand) === 'PartitionQuery') {
    let current: Table | undefined;
    const scope = new Scope(compiler.scope);
    scope.define(key, { kind: 'table', get: () => current!, local: true });
    const query: TableFn = compiler.within(scope, () => compiler.tabular(child(operand, 'Query')!));
    run = (x, _part, value) => {
      current = value;
      return query(x, undefined);
    };
  } else return compiler.unsupported(operand, "this form of 'partition'");
  return (x, input) => {
    const groups = new Map<string, Row[]>();
    for (const row of input.rows) {
      const k = valueKey(row[key] ?? null);
      const group = groups.get(k);
      if (group) group.push(row);
      else groups.set(k, [row]);
    }
    const keyType = input.types?.[input.columns.indexOf(key)] ?? 'dynamic';
    const rows: Row[] = [];
    for (const group of groups.values()) {
      const part: Table = { columns: input.columns, types: input.types, rows: group };
      const value: Table = { columns: [key], types: [keyType], rows: [{ [key]: group[0]![key] ?? null }] };
      const result = run(x, part, value);
      for (const row of result.rows) {
        const out: Row = {};
        for (const column of outputNames) out[column] = row[column] ?? null;
        rows.push(out);
      }
    }
    return { columns: outputNames, types: resolveTypes(outputNames, output.map((c) => c.type), rows), rows };
  };
}
