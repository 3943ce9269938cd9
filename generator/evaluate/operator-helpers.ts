import type { Compiler, Exec } from './compiler.js';
import { child, kindName, listChild, resultColumns, textOf, type ResultColumn, type SyntaxNode } from './syntax.js';
import type { Row, Table } from './table.js';
import type { KValue } from './values.js';

/** The pieces every operator compiler reads: its keyword, the analyser's columns, its parameters. */

/** An operator applied to its input table. */
export type OperatorFn = (x: Exec, input: Table) => Table;

export function keyword(node: SyntaxNode): string {
  return node.GetFirstToken()?.Text ?? kindName(node);
}

export function columnsOf(node: SyntaxNode, compiler: Compiler): ResultColumn[] {
  return resultColumns(node) ?? compiler.fail(node, `the analyser gave no columns for '${keyword(node)}'`);
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

export function parameterText(node: SyntaxNode, name: string): string | undefined {
  for (const parameter of listChild(node, 'Parameters')) {
    const parameterName = (child(parameter, 'Name') as Kusto.Language.Syntax.NameDeclaration | undefined)?.SimpleName;
    const value = child(parameter, 'Expression');
    if (parameterName === name && value) return textOf(value);
  }
  return undefined;
}
