import type { Compiler, OperatorFn } from './compiler.js';
import { emptyValue, keyword, parameterNames, parameterText } from './operator-helpers.js';
import { child, declaredName, kindName, listChild, textOf, tokenText, type SyntaxNode } from './syntax.js';
import { typesOf, type Row, type Table } from './table.js';
import { valueKey } from './values.js';

/**
 * join and lookup: rows of the input matched with rows of another table on equal keys. The output
 * has the left columns, then the right ones; a right column whose name the left already uses is
 * renamed with a number (Key becomes Key1), as Kusto does (join-operator.md).
 */

interface JoinKey {
  left: string;
  right: string;
}

/** `on Column` or `on $left.A == $right.B` (several, joined by commas or `and`), as join and lookup write it. */
function joinKeys(node: SyntaxNode, clauseName: string, compiler: Compiler): JoinKey[] {
  const condition = child(node, clauseName);
  if (!condition || kindName(condition) !== 'JoinOnClause') {
    if (condition && kindName(condition) === 'JoinWhereClause') return compiler.unsupported(node, `${keyword(node)} with a where clause`);
    return compiler.invalid(node, `${keyword(node)} needs an on clause`);
  }
  const keys: JoinKey[] = [];
  const visit = (item: SyntaxNode) => {
    if (kindName(item) === 'NameReference') {
      const name = (item as Kusto.Language.Syntax.NameReference).SimpleName ?? '';
      keys.push({ left: name, right: name });
      return;
    }
    if (kindName(item) === 'AndExpression') {
      visit(child(item, 'Left')!);
      visit(child(item, 'Right')!);
      return;
    }
    if (kindName(item) === 'ParenthesizedExpression') return visit(child(item, 'Expression')!);
    const side = (expression: SyntaxNode | undefined): { side: string; name: string } | undefined => {
      const target = expression && kindName(expression) === 'PathExpression' ? child(expression, 'Expression') : undefined;
      if (!target) return undefined;
      const name = declaredName(child(expression!, 'Selector'));
      return name === undefined ? undefined : { side: textOf(target), name };
    };
    const l = side(child(item, 'Left'));
    const r = side(child(item, 'Right'));
    if (tokenText(item, 'Operator') !== '==' || !l || !r) return compiler.unsupported(item, `the join condition ${textOf(item)} (only Column and $left.A == $right.B)`);
    if (l.side === '$left' && r.side === '$right') keys.push({ left: l.name, right: r.name });
    else if (l.side === '$right' && r.side === '$left') keys.push({ left: r.name, right: l.name });
    else return compiler.unsupported(item, `the join condition ${textOf(item)}`);
  };
  for (const item of listChild(condition, 'Expressions')) visit(item);
  return keys;
}

function keyOf(row: Row, keys: readonly JoinKey[], side: 'left' | 'right'): string {
  if (keys.length === 1) return valueKey(row[keys[0]![side]] ?? null);
  return keys.map((k) => valueKey(row[k[side]] ?? null)).join('\u0000');
}

function indexRows(rows: readonly Row[], keys: readonly JoinKey[], side: 'left' | 'right'): Map<string, Row[]> {
  const index = new Map<string, Row[]>();
  for (const row of rows) {
    const key = keyOf(row, keys, side);
    const list = index.get(key);
    if (list) list.push(row);
    else index.set(key, [row]);
  }
  return index;
}

/** The names of the right side's columns once those the left uses are renamed (Key -> Key1). */
export function renamedRight(leftColumns: readonly string[], rightColumns: readonly string[]): string[] {
  const used = new Set(leftColumns);
  return rightColumns.map((name) => {
    let out = name;
    for (let n = 1; used.has(out); n++) out = `${name}${n}`;
    used.add(out);
    return out;
  });
}

interface Combined {
  columns: string[];
  types: string[];
  combine(left: Row | undefined, right: Row | undefined): Row;
}

function combination(left: Table, right: Table, rightColumns: readonly string[] = right.columns): Combined {
  const renamed = renamedRight(left.columns, rightColumns);
  const leftTypes = typesOf(left);
  const rightTypes = rightColumns.map((c) => typesOf(right)[right.columns.indexOf(c)] ?? 'dynamic');
  return {
    columns: [...left.columns, ...renamed],
    types: [...leftTypes, ...rightTypes],
    combine(l, r) {
      const out: Row = {};
      left.columns.forEach((c, i) => (out[c] = l ? (l[c] ?? null) : emptyValue(leftTypes[i]!)));
      rightColumns.forEach((c, i) => (out[renamed[i]!] = r ? (r[c] ?? null) : emptyValue(rightTypes[i]!)));
      return out;
    },
  };
}

const JOIN_KINDS = ['inner', 'innerunique', 'leftouter', 'leftanti', 'leftantisemi', 'anti', 'leftsemi', 'semi', 'rightouter', 'rightanti', 'rightantisemi', 'rightsemi', 'fullouter', 'outer'];

export function join(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const kind = (parameterText(node, 'kind') ?? 'innerunique').toLowerCase();
  if (!JOIN_KINDS.includes(kind)) return compiler.unsupported(node, `join kind=${kind}`);
  const unknown = parameterNames(node).filter((p) => p !== 'kind' && !p.startsWith('hint.'));
  if (unknown.length > 0) return compiler.unsupported(node, `join ${unknown[0]}=`);
  const right = compiler.tabular(child(node, 'Expression')!);
  const keys = joinKeys(node, 'ConditionClause', compiler);
  const flavor = kind === 'anti' || kind === 'leftantisemi' ? 'leftanti' : kind === 'semi' ? 'leftsemi' : kind === 'rightantisemi' ? 'rightanti' : kind === 'outer' ? 'leftouter' : kind;
  return (x, input) => {
    const rightTable = right(x, undefined);
    let leftRows = input.rows;
    if (flavor === 'innerunique') {
      // Inner join after deduplicating the left side on the join key: the first row is kept (join-innerunique.md).
      const seen = new Set<string>();
      leftRows = leftRows.filter((row) => {
        const key = keyOf(row, keys, 'left');
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
    }
    if (flavor === 'leftsemi' || flavor === 'leftanti') {
      const index = indexRows(rightTable.rows, keys, 'right');
      const keep = flavor === 'leftsemi';
      return { columns: input.columns, types: typesOf(input), rows: leftRows.filter((row) => index.has(keyOf(row, keys, 'left')) === keep) };
    }
    if (flavor === 'rightsemi' || flavor === 'rightanti') {
      const index = indexRows(leftRows, keys, 'left');
      const keep = flavor === 'rightsemi';
      return { columns: rightTable.columns, types: typesOf(rightTable), rows: rightTable.rows.filter((row) => index.has(keyOf(row, keys, 'right')) === keep) };
    }
    const shape = combination(input, rightTable);
    const index = indexRows(rightTable.rows, keys, 'right');
    const rows: Row[] = [];
    const matchedRight = new Set<Row>();
    for (const row of leftRows) {
      const matches = index.get(keyOf(row, keys, 'left'));
      if (matches) {
        for (const match of matches) {
          matchedRight.add(match);
          rows.push(shape.combine(row, match));
        }
      } else if (flavor === 'leftouter' || flavor === 'fullouter') rows.push(shape.combine(row, undefined));
    }
    if (flavor === 'rightouter' || flavor === 'fullouter') for (const row of rightTable.rows) if (!matchedRight.has(row)) rows.push(shape.combine(undefined, row));
    return { columns: shape.columns, types: shape.types, rows };
  };
}

/**
 * lookup extends each input row with the columns of the matching row of a (small) dimension
 * table: every input row stays (kind=leftouter, the default) or only matched ones (kind=inner).
 * The right table's key columns are not repeated.
 */
export function lookup(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const kind = (parameterText(node, 'kind') ?? 'leftouter').toLowerCase();
  if (kind !== 'leftouter' && kind !== 'inner') return compiler.invalid(node, `lookup kind=${kind}: Kusto knows leftouter and inner`);
  const right = compiler.tabular(child(node, 'Expression')!);
  const keys = joinKeys(node, 'LookupClause', compiler);
  return (x, input) => {
    const rightTable = right(x, undefined);
    const rightKeys = new Set(keys.map((k) => k.right));
    const shape = combination(input, rightTable, rightTable.columns.filter((c) => !rightKeys.has(c)));
    const index = indexRows(rightTable.rows, keys, 'right');
    const rows: Row[] = [];
    for (const row of input.rows) {
      const matches = index.get(keyOf(row, keys, 'left'));
      if (matches) for (const match of matches) rows.push(shape.combine(row, match));
      else if (kind === 'leftouter') rows.push(shape.combine(row, undefined));
    }
    return { columns: shape.columns, types: shape.types, rows };
  };
}
