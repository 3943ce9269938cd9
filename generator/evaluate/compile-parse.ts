import type { Compiler, ScalarFn } from './compiler.js';
import { escapeRegExp, kustoRegex } from './kusto-regex.js';
import { canonicalGuid } from './text-functions.js';
import { columnsOf, emptyValue, keyword, names, parameterText, type OperatorFn } from './operator-helpers.js';
import { child, kindName, listChild, literalValue, textOf, type SyntaxNode } from './syntax.js';
import type { Row } from './table.js';
import { parseClockTimespan, parseDateTime, parseJsonValue, parseTimespanLiteral, toKustoString, type KValue } from './values.js';

/**
 * parse and parse-where, as Kusto documents them: the pattern becomes one regular expression,
 * anchored at the start of the text, in which `*` is `.*?`, a string column `(.*?)` (the last
 * element of the pattern takes the rest of the text), a long or int `(-?\d+)` and a real a decimal
 * number. kind=simple and kind=relaxed read the pattern's strings as plain text, kind=regex as
 * regular expressions. When the text does not match, or (except relaxed) a value is not of its
 * column's type, every new column is empty; parse-where drops such rows instead.
 */

interface PatternColumn {
  name: string;
  type: string;
}

const TYPED_PATTERN: Record<string, string> = {
  long: '(-?\\d+)',
  int: '(-?\\d+)',
  real: '(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)',
  double: '(-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?)',
  decimal: '(-?\\d+(?:\\.\\d+)?)',
};

/** A captured text as a value of the column's type; undefined when it is not one. */
function typedValue(text: string, type: string): KValue | undefined {
  switch (type) {
    case 'string':
      return text;
    case 'long':
    case 'int':
      return /^\s*-?\d+\s*$/.test(text) ? Number(text) : undefined;
    case 'real':
    case 'double':
    case 'decimal': {
      const n = text.trim() === '' ? Number.NaN : Number(text);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'bool':
    case 'boolean':
      return /^(true|1)$/i.test(text.trim()) ? true : /^(false|0)$/i.test(text.trim()) ? false : undefined;
    case 'datetime':
    case 'date':
      return parseDateTime(text) ?? undefined;
    case 'timespan':
    case 'time':
      return parseClockTimespan(text) ?? parseTimespanLiteral(text);
    case 'guid':
      return canonicalGuid(text) ?? undefined;
    default:
      return parseJsonValue(text);
  }
}

export function parseOperator(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const dropUnmatched = kindName(node) === 'ParseWhereOperator';
  const outputColumns = columnsOf(node, compiler);
  const output = names(outputColumns);
  const kind = (parameterText(node, 'kind') ?? 'simple').toLowerCase();
  if (kind !== 'simple' && kind !== 'regex' && kind !== 'relaxed') return compiler.fail(node, `${keyword(node)} kind=${kind} is not supported by the offline evaluator`);
  const flags = parameterText(node, 'flags') ?? '';
  if (/[^ims]/.test(flags)) return compiler.fail(node, `${keyword(node)} flags=${flags}: only i, m and s are supported by the offline evaluator`);
  const source: ScalarFn = compiler.scalar(child(node, 'Expression')!);
  const patterns = listChild(node, 'Patterns');
  const columns: PatternColumn[] = [];
  let regex = '^';
  patterns.forEach((element, i) => {
    const last = i === patterns.length - 1;
    switch (kindName(element)) {
      case 'StarExpression':
        regex += '.*?';
        break;
      case 'StringLiteralExpression':
      case 'CompoundStringLiteralExpression': {
        const text = String(literalValue(element) ?? '');
        regex += kind === 'regex' ? `(?:${text})` : escapeRegExp(text);
        break;
      }
      case 'NameDeclaration':
      case 'NameAndTypeDeclaration': {
        const nameNode = kindName(element) === 'NameDeclaration' ? element : child(element, 'Name')!;
        const typeNode = child(element, 'Type');
        const type = typeNode ? textOf(typeNode).toLowerCase() : 'string';
        columns.push({ name: (nameNode as Kusto.Language.Syntax.NameDeclaration).SimpleName ?? '', type });
        regex += kind !== 'relaxed' && TYPED_PATTERN[type] ? TYPED_PATTERN[type] : last ? '(.*)' : '(.*?)';
        break;
      }
      default:
        compiler.fail(element, `${keyword(node)}: the pattern element ${kindName(element)} is not supported by the offline evaluator`);
    }
  });
  const unknown = columns.find((c) => !output.includes(c.name));
  if (unknown) return compiler.fail(node, `${keyword(node)}: the analyser does not name the column '${unknown.name}'`);
  let pattern: RegExp;
  try {
    pattern = kustoRegex(regex, flags);
  } catch (error) {
    return compiler.fail(node, (error as Error).message);
  }
  const typeOf = new Map(outputColumns.map((c) => [c.name, c.type]));
  const empty = (row: Row): Row => {
    const out: Row = { ...row };
    for (const c of columns) out[c.name] = emptyValue(typeOf.get(c.name) ?? c.type);
    return out;
  };
  /** The row with its new columns; undefined when the text does not parse. */
  const parsed = (row: Row, match: RegExpExecArray): Row | undefined => {
    const out: Row = { ...row };
    for (let i = 0; i < columns.length; i++) {
      const column = columns[i]!;
      const value = typedValue(match[i + 1] ?? '', column.type);
      if (value === undefined && kind !== 'relaxed') return undefined;
      out[column.name] = value ?? emptyValue(column.type);
    }
    return out;
  };
  return (x, input) => {
    const rows: Row[] = [];
    for (const row of input.rows) {
      const text = toKustoString(source(row, x));
      const match = pattern.exec(text);
      const result = match ? parsed(row, match) : undefined;
      if (result) rows.push(result);
      else if (!dropUnmatched) rows.push(empty(row));
    }
    return { columns: output, rows };
  };
}
