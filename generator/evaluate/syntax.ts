import { kustoLanguage } from './kusto-language.js';

/**
 * A thin, typed view of Kusto.Language's syntax tree. Children are read by the property names
 * the parser gives them (`Left`, `Operator`, `Expressions`, ...), so the evaluator does not need
 * one cast per node class of the Bridge.NET typings.
 */
export type SyntaxNode = Kusto.Language.Syntax.SyntaxNode;

let kindNames: Map<number, string> | undefined;

export function kindName(node: SyntaxNode): string {
  if (!kindNames) {
    kindNames = new Map();
    for (const [name, value] of Object.entries(kustoLanguage().Syntax.SyntaxKind)) if (typeof value === 'number') kindNames.set(value, name);
  }
  return kindNames.get(node.Kind) ?? String(node.Kind);
}

export function child(node: SyntaxNode, name: string): SyntaxNode | undefined {
  for (let i = 0; i < node.ChildCount; i++) {
    if (node.GetName(i) === name) {
      const element = node.GetChild(i);
      return element && !element.IsToken ? (element as SyntaxNode) : undefined;
    }
  }
  return undefined;
}

export function tokenText(node: SyntaxNode, name: string): string | undefined {
  for (let i = 0; i < node.ChildCount; i++) {
    if (node.GetName(i) === name) {
      const element = node.GetChild(i);
      return element?.IsToken ? ((element as Kusto.Language.Syntax.SyntaxToken).Text ?? undefined) : undefined;
    }
  }
  return undefined;
}

/** The elements of a list child, separators dropped. */
export function items(node: SyntaxNode | undefined): SyntaxNode[] {
  if (!node) return [];
  const out: SyntaxNode[] = [];
  for (let i = 0; i < node.ChildCount; i++) {
    const element = node.GetChild(i);
    if (!element || element.IsToken) continue;
    const inner = element as SyntaxNode;
    if (kindName(inner) === 'SeparatedElement') {
      const first = inner.GetChild(0);
      if (first && !first.IsToken) out.push(first as SyntaxNode);
    } else out.push(inner);
  }
  return out;
}

export function listChild(node: SyntaxNode, name: string): SyntaxNode[] {
  return items(child(node, name));
}

/** The node's source text without surrounding trivia. */
export function textOf(node: SyntaxNode): string {
  return node.ToString(kustoLanguage().Syntax.IncludeTrivia.Interior) ?? '';
}

export interface ResultColumn {
  name: string;
  type: string;
}

/** The columns the analyser computed for a tabular node; undefined for scalars. */
export function resultColumns(node: SyntaxNode): ResultColumn[] | undefined {
  const type = (node as Kusto.Language.Syntax.Expression).ResultType;
  if (!type || !(type instanceof kustoLanguage().Symbols.TableSymbol)) return undefined;
  const list = type.Columns;
  const columns: ResultColumn[] = [];
  for (let i = 0; i < (list?.Count ?? 0); i++) {
    const column = list!.getItem(i);
    if (column?.Name) columns.push({ name: column.Name, type: column.Type?.Name ?? 'dynamic' });
  }
  return columns;
}

export function isTabular(node: SyntaxNode): boolean {
  return resultColumns(node) !== undefined;
}

export type SymbolKind = 'column' | 'variable' | 'table' | 'function' | 'other';

export function referencedSymbolKind(node: SyntaxNode): SymbolKind {
  const symbol = node.ReferencedSymbol;
  if (!symbol) return 'other';
  const S = kustoLanguage().Symbols;
  if (symbol instanceof S.ColumnSymbol) return 'column';
  if (symbol instanceof S.VariableSymbol) return 'variable';
  if (symbol instanceof S.TableSymbol) return 'table';
  if (symbol instanceof S.FunctionSymbol) return 'function';
  return 'other';
}

export function literalText(node: SyntaxNode): string | undefined {
  return (node as Kusto.Language.Syntax.Expression).LiteralValueInfo?.ValueText ?? undefined;
}

export function literalValue(node: SyntaxNode): unknown {
  return (node as Kusto.Language.Syntax.Expression).LiteralValue;
}

/** The Kusto type of a scalar expression (long, real, string, datetime, dynamic, ...), 'unknown' when the analyser cannot tell. */
export function scalarType(node: SyntaxNode): string {
  const type = (node as Kusto.Language.Syntax.Expression).ResultType;
  return normalType(type?.Name ?? 'unknown');
}

/** Kusto's names for one type: date is datetime, time is timespan, double is real, boolean is bool. */
export function normalType(name: string): string {
  switch (name) {
    case 'date':
      return 'datetime';
    case 'time':
      return 'timespan';
    case 'double':
      return 'real';
    case 'boolean':
      return 'bool';
    case 'uniqueid':
      return 'guid';
    default:
      return name;
  }
}

/** The name a SimpleNamedExpression, NameDeclaration or NameReference gives, without brackets. */
export function declaredName(node: SyntaxNode | undefined): string | undefined {
  if (!node) return undefined;
  const simple = (node as Kusto.Language.Syntax.NameDeclaration).SimpleName;
  if (simple) return simple;
  const name = child(node, 'Name');
  return name ? declaredName(name) : undefined;
}

/** The columns of a function that returns several values (array_sort_asc(a, b), series_stats(), percentiles()). */
export function tupleColumns(node: SyntaxNode): ResultColumn[] | undefined {
  const type = (node as Kusto.Language.Syntax.Expression).ResultType;
  if (!type || !(type instanceof kustoLanguage().Symbols.TupleSymbol)) return undefined;
  const list = type.Columns;
  const columns: ResultColumn[] = [];
  for (let i = 0; i < (list?.Count ?? 0); i++) {
    const column = list!.getItem(i);
    if (column?.Name) columns.push({ name: column.Name, type: normalType(column.Type?.Name ?? 'dynamic') });
  }
  return columns;
}
