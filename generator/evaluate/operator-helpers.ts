import type { Compiler } from './compiler.js';
import { child, kindName, listChild, resultColumns, textOf, type ResultColumn, type SyntaxNode } from './syntax.js';
import type { Row } from './table.js';
import { dynamicKind, type KValue } from './values.js';

/** The pieces every operator compiler reads: its keyword, the analyser's columns, its parameters. */

export function keyword(node: SyntaxNode): string {
  return node.GetFirstToken()?.Text ?? kindName(node);
}

export function columnsOf(node: SyntaxNode, compiler: Compiler): ResultColumn[] {
  return resultColumns(node) ?? compiler.unsupported(node, `'${keyword(node)}' (the analyser gave it no columns)`);
}

export function names(columns: readonly ResultColumn[]): string[] {
  return columns.map((c) => c.name);
}

/** What a column holds when a row has no value for it: strings are never null in Kusto. */
export function emptyValue(type: string): KValue {
  return type === 'string' ? '' : null;
}

export function inputColumnsOf(node: SyntaxNode): ResultColumn[] {
  const parent = node.Parent;
  const source = parent && kindName(parent) === 'PipeExpression' ? child(parent, 'Expression') : undefined;
  return (source && resultColumns(source)) ?? [];
}

export function pick(row: Row, columns: readonly string[]): Row {
  const out: Row = {};
  for (const column of columns) out[column] = row[column] ?? null;
  return out;
}

/** The text of a `name=value` parameter of an operator (kind=inner, with_itemindex=i, ...). */
export function parameterText(node: SyntaxNode, name: string): string | undefined {
  for (const parameter of listChild(node, 'Parameters')) {
    const parameterName = (child(parameter, 'Name') as Kusto.Language.Syntax.NameDeclaration | undefined)?.SimpleName;
    const value = child(parameter, 'Expression');
    if (parameterName?.toLowerCase() === name.toLowerCase() && value) return textOf(value);
  }
  return undefined;
}

/** Names of the parameters an operator was given. */
export function parameterNames(node: SyntaxNode): string[] {
  return listChild(node, 'Parameters').map((p) => ((child(p, 'Name') as Kusto.Language.Syntax.NameDeclaration | undefined)?.SimpleName ?? '').toLowerCase());
}

/** The Kusto type of a value, for columns whose type only the data can tell (an open schema). */
export function valueType(value: KValue): string {
  const kind = dynamicKind(value);
  return kind === 'string' || kind === 'bool' || kind === 'long' || kind === 'real' || kind === 'datetime' || kind === 'timespan' ? kind : 'dynamic';
}

/** One type for the values of a column: their common kind, else dynamic. */
export function inferType(values: readonly KValue[]): string {
  let type: string | undefined;
  for (const value of values) {
    if (value === null) continue;
    const t = valueType(value);
    if (type === undefined) type = t;
    else if (type !== t) return type === 'long' && t === 'real' ? 'real' : type === 'real' && t === 'long' ? 'real' : 'dynamic';
  }
  return type ?? 'dynamic';
}
