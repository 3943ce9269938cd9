import type { Compiler } from './compiler.js';
import { columnsOf, emptyValue, keyword, inputColumnsOf, names, parameterText, pick, type OperatorFn } from './operator-helpers.js';
import { child, kindName, listChild, textOf, tokenText, type ResultColumn, type SyntaxNode } from './syntax.js';
import type { Row } from './table.js';
import { valueKey } from './values.js';

/** join and lookup: rows of the input matched with rows of another table on equal keys. */

interface JoinKey {
  left: string;
  right: string;
}

/** `on Column` or `on $left.A == $right.B`, as join and lookup both write it. */
function joinKeys(node: SyntaxNode, clauseName: string, compiler: Compiler): JoinKey[] {
  const condition = child(node, clauseName);
  if (!condition || kindName(condition) !== 'JoinOnClause') return compiler.fail(node, `${keyword(node)} needs an on clause`);
  return listChild(condition, 'Expressions').map((item) => {
    if (kindName(item) === 'NameReference') {
      const name = (item as Kusto.Language.Syntax.NameReference).SimpleName ?? '';
      return { left: name, right: name };
    }
    const side = (expression: SyntaxNode | undefined, expected: string) => {
      const target = expression && kindName(expression) === 'PathExpression' ? child(expression, 'Expression') : undefined;
      if (!target || textOf(target) !== expected) return compiler.fail(item, 'on supports Column or $left.A == $right.B');
      return (child(expression!, 'Selector') as Kusto.Language.Syntax.NameReference).SimpleName ?? '';
    };
    if (tokenText(item, 'Operator') !== '==') return compiler.fail(item, 'on supports only ==');
    return { left: side(child(item, 'Left'), '$left'), right: side(child(item, 'Right'), '$right') };
  });
}

function keyOf(row: Row, keys: readonly JoinKey[], side: 'left' | 'right'): string {
  return keys.map((k) => valueKey(row[k[side]] ?? null)).join('\u0000');
}

function indexRows(rows: readonly Row[], keys: readonly JoinKey[]): Map<string, Row[]> {
  const index = new Map<string, Row[]>();
  for (const row of rows) {
    const key = keyOf(row, keys, 'right');
    const list = index.get(key);
    if (list) list.push(row);
    else index.set(key, [row]);
  }
  return index;
}

/** A value for each output column, from the side it comes from; a missing side gives the column's empty value. */
type ColumnSource = { column: ResultColumn; side: 'left' | 'right'; from: string };

function combineRows(sources: readonly ColumnSource[], left: Row | undefined, right: Row | undefined): Row {
  const out: Row = {};
  for (const { column, side, from } of sources) {
    const row = side === 'left' ? left : right;
    out[column.name] = row ? (row[from] ?? emptyValue(column.type)) : emptyValue(column.type);
  }
  return out;
}

const JOIN_KINDS = ['inner', 'innerunique', 'leftouter', 'leftanti', 'leftantisemi', 'leftsemi', 'rightouter', 'rightanti', 'rightsemi', 'fullouter'];

export function join(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const outputColumns = columnsOf(node, compiler);
  const output = names(outputColumns);
  const kind = (parameterText(node, 'kind') ?? 'innerunique').toLowerCase();
  if (!JOIN_KINDS.includes(kind)) return compiler.fail(node, `join kind=${kind} is not supported by the offline evaluator`);
  const rightNode = child(node, 'Expression')!;
  const right = compiler.tabular(rightNode);
  const keys = joinKeys(node, 'ConditionClause', compiler);
  const leftColumns = names(inputColumnsOf(node));
  const rightColumns = names(columnsOf(rightNode, compiler));
  const leftOnly = ['leftanti', 'leftantisemi', 'leftsemi'].includes(kind);
  const rightOnly = ['rightanti', 'rightsemi'].includes(kind);
  if (!leftOnly && !rightOnly && output.length !== leftColumns.length + rightColumns.length) return compiler.fail(node, 'join: the analyser names the columns differently than expected');
  // Kusto renames a right column that clashes with a left one (Id becomes Id1): match by position.
  const sources: ColumnSource[] = outputColumns.map((column, i) =>
    i < leftColumns.length ? { column, side: 'left', from: leftColumns[i]! } : { column, side: 'right', from: rightColumns[i - leftColumns.length]! },
  );
  return (x, input) => {
    let leftRows = input.rows;
    const rightTable = right(x, undefined);
    if (kind === 'innerunique') {
      const seen = new Set<string>();
      leftRows = leftRows.filter((row) => {
        const key = keyOf(row, keys, 'left');
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    const index = indexRows(rightTable.rows, keys);
    const rows: Row[] = [];
    const matchedRight = new Set<Row>();
    for (const row of leftRows) {
      const matches = index.get(keyOf(row, keys, 'left')) ?? [];
      if (kind === 'leftanti' || kind === 'leftantisemi') {
        if (matches.length === 0) rows.push(pick(row, output));
        continue;
      }
      if (kind === 'leftsemi') {
        if (matches.length > 0) rows.push(pick(row, output));
        continue;
      }
      for (const match of matches) {
        matchedRight.add(match);
        if (!rightOnly) rows.push(combineRows(sources, row, match));
      }
      if (matches.length === 0 && (kind === 'leftouter' || kind === 'fullouter')) rows.push(combineRows(sources, row, undefined));
    }
    if (kind === 'rightsemi') for (const row of rightTable.rows) if (matchedRight.has(row)) rows.push(pick(row, output));
    if (kind === 'rightanti') for (const row of rightTable.rows) if (!matchedRight.has(row)) rows.push(pick(row, output));
    if (kind === 'rightouter' || kind === 'fullouter') for (const row of rightTable.rows) if (!matchedRight.has(row)) rows.push(combineRows(sources, undefined, row));
    return { columns: output, rows };
  };
}

/**
 * lookup extends each input row with the columns of the matching row of a (small) dimension
 * table: every input row stays (kind=leftouter, the default) or only matched ones (kind=inner).
 */
export function lookup(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const outputColumns = columnsOf(node, compiler);
  const output = names(outputColumns);
  const kind = (parameterText(node, 'kind') ?? 'leftouter').toLowerCase();
  if (kind !== 'leftouter' && kind !== 'inner') return compiler.fail(node, `lookup kind=${kind} is not supported (Kusto knows leftouter and inner)`);
  const rightNode = child(node, 'Expression')!;
  const right = compiler.tabular(rightNode);
  const keys = joinKeys(node, 'LookupClause', compiler);
  const leftColumns = names(inputColumnsOf(node));
  // The right table's key columns are dropped; a right column whose name the left has is renamed (Name1).
  const rightKeys = new Set(keys.map((k) => k.right));
  const rightColumns = names(columnsOf(rightNode, compiler)).filter((name) => !rightKeys.has(name));
  if (outputColumns.length !== leftColumns.length + rightColumns.length) return compiler.fail(node, 'lookup: the analyser names the columns differently than expected');
  const sources: ColumnSource[] = outputColumns.map((column, i) =>
    i < leftColumns.length ? { column, side: 'left', from: leftColumns[i]! } : { column, side: 'right', from: rightColumns[i - leftColumns.length]! },
  );
  return (x, input) => {
    const index = indexRows(right(x, undefined).rows, keys);
    const rows: Row[] = [];
    for (const row of input.rows) {
      const matches = index.get(keyOf(row, keys, 'left'));
      if (matches) for (const match of matches) rows.push(combineRows(sources, row, match));
      else if (kind === 'leftouter') rows.push(combineRows(sources, row, undefined));
    }
    return { columns: output, rows };
  };
}

