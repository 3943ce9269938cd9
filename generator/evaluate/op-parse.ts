import type { Compiler, OperatorFn, ScalarFn } from './compiler.js';
import { toBool, toDateTime, toGuid, toLong, toReal, toTimespan } from './convert.js';
import { escapeRegExp, kustoRegexWithNames } from './kusto-regex.js';
import { emptyValue, keyword, parameterText } from './operator-helpers.js';
import { child, declaredName, kindName, listChild, literalValue, normalType, textOf, type SyntaxNode } from './syntax.js';
import { typesOf, type Row, type Table } from './table.js';
import { toKustoString, type KValue } from './values.js';

/**
 * parse and parse-where (parse-operator.md). The pattern becomes one regular expression anchored
 * at the start of the text: `*` is `.*?`, a long or int column `(-?\d+)`, a real a decimal number,
 * other columns any text. kind=simple and kind=relaxed read the pattern's strings as plain text;
 * kind=regex as regular expressions, whose own groups do not shift the columns, and there a string
 * column is greedy (the page: "the default mode is greedy"; flags=U makes it lazy). When the text
 * does not match, or (simple, regex) a value is not of its column's type, every new column is
 * empty; relaxed empties only that column; parse-where drops such rows instead.
 */

interface PatternColumn {
  name: string;
  type: string;
}

const TYPED_PATTERN: Record<string, string> = {
  long: '-?\\d+',
  int: '-?\\d+',
  real: '-?\\d+(?:\\.\\d+)?(?:[eE][+-]?\\d+)?',
  decimal: '-?\\d+(?:\\.\\d+)?',
};

/** A captured text as a value of the column's type; undefined when it is not one. */
function typedValue(text: string, type: string): KValue | undefined {
  switch (type) {
    case 'string':
      return text;
    case 'long':
    case 'int':
      return /^\s*-?\d+\s*$/.test(text) ? (toLong(text) ?? undefined) : undefined;
    case 'real':
    case 'decimal':
      return text.trim() === '' ? undefined : (toReal(text) ?? undefined);
    case 'bool':
      return toBool(text) ?? undefined;
    case 'datetime':
      return toDateTime(text) ?? undefined;
    case 'timespan':
      return toTimespan(text) ?? undefined;
    case 'guid':
      return toGuid(text) ?? undefined;
    default:
      return text;
  }
}

export function parseOperator(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const dropUnmatched = kindName(node) === 'ParseWhereOperator';
  const kind = (parameterText(node, 'kind') ?? 'simple').toLowerCase();
  if (kind !== 'simple' && kind !== 'regex' && kind !== 'relaxed') return compiler.invalid(node, `${keyword(node)} kind=${kind}: Kusto knows simple, regex and relaxed`);
  const flags = kind === 'regex' ? (parameterText(node, 'flags') ?? '') : '';
  const ungreedy = flags.includes('U');
  const source: ScalarFn = compiler.scalar(child(node, 'Expression')!);
  const patterns = listChild(node, 'Patterns');
  const columns: PatternColumn[] = [];
  // A Kusto-syntax pattern; each column a named group, so that the user's own groups do not shift them.
  let pattern = '';
  patterns.forEach((element, i) => {
    const last = i === patterns.length - 1;
    switch (kindName(element)) {
      case 'StarExpression':
        pattern += ungreedy ? '.*' : '.*?';
        break;
      case 'StringLiteralExpression':
      case 'CompoundStringLiteralExpression': {
        const text = String(literalValue(element) ?? '');
        pattern += kind === 'regex' ? `(?:${text})` : escapeRegExp(text);
        break;
      }
      case 'NameDeclaration':
      case 'NameAndTypeDeclaration': {
        const name = declaredName(kindName(element) === 'NameDeclaration' ? element : child(element, 'Name')) ?? '';
        const typeNode = child(element, 'Type');
        const type = typeNode ? normalType(textOf(typeNode).toLowerCase()) : 'string';
        const group = `_parse${columns.length}`;
        columns.push({ name, type });
        const typed = TYPED_PATTERN[type];
        let body: string;
        if (kind === 'regex') body = typed ?? (ungreedy ? '.*?' : '.*');
        else if (typed && kind === 'relaxed') body = `${typed}|.*?`;
        else body = typed ?? (last ? '.*' : '.*?');
        pattern += `(?<${group}>${body})`;
        break;
      }
      default:
        compiler.unsupported(element, `${keyword(node)}: the pattern element ${kindName(element)}`);
    }
  });
  let compiled: ReturnType<typeof kustoRegexWithNames>;
  try {
    compiled = kustoRegexWithNames(`\\A(?:${pattern})`, flags.replace(/U/g, ''));
  } catch (error) {
    return compiler.invalid(node, (error as Error).message);
  }
  const groupOf = columns.map((_, i) => compiled.names.indexOf(`_parse${i}`));
  return (x, input) => {
    const shape = parsedShape(input, columns);
    const rows: Row[] = [];
    for (const row of input.rows) {
      const match = compiled.regex.exec(toKustoString(source(row, x)));
      compiled.regex.lastIndex = 0;
      const out: Row = { ...row };
      let ok = match !== null;
      if (match) {
        columns.forEach((column, i) => {
          const value = typedValue(match[groupOf[i]!] ?? '', column.type);
          if (value === undefined) {
            if (kind !== 'relaxed') ok = false;
            out[column.name] = emptyValue(column.type);
          } else out[column.name] = value;
        });
      }
      if (!ok) {
        if (dropUnmatched) continue;
        for (const column of columns) out[column.name] = emptyValue(column.type);
      }
      rows.push(out);
    }
    return { ...shape, rows, serialized: input.serialized };
  };
}

function parsedShape(input: Table, columns: readonly PatternColumn[]): { columns: string[]; types: string[] } {
  const names = [...input.columns];
  const types = [...typesOf(input)];
  for (const column of columns) {
    const at = names.indexOf(column.name);
    if (at === -1) {
      names.push(column.name);
      types.push(column.type);
    } else types[at] = column.type;
  }
  return { columns: names, types };
}

interface KvOptions {
  pair?: string;
  kv?: string;
  quotes: [string, string][];
  escapes: string[];
  greedy: boolean;
  regex?: string;
}

/** parse-kv (parse-kv-operator.md): the listed keys' values, by delimiters, by any non-alphanumeric delimiter, or by a regex. */
export function parseKvOperator(node: SyntaxNode, compiler: Compiler): OperatorFn {
  const source = compiler.scalar(child(node, 'Expression')!);
  const keys: PatternColumn[] = listChild(child(node, 'Keys')!, 'Columns').map((c) => ({
    name: declaredName(child(c, 'Name')) ?? '',
    type: normalType(textOf(child(c, 'Type')!).toLowerCase()),
  }));
  const options: KvOptions = { quotes: [], escapes: [], greedy: false };
  const withClause = child(node, 'WithClause');
  for (const property of withClause ? listChild(withClause, 'Properties') : []) {
    const name = (declaredName(child(property, 'Name')) ?? '').toLowerCase();
    const valueNode = child(property, 'Expression')!;
    const value = literalValue(valueNode);
    const text = typeof value === 'string' ? value : textOf(valueNode);
    if (name === 'pair_delimiter') options.pair = text;
    else if (name === 'kv_delimiter') options.kv = text;
    else if (name === 'quote') options.quotes.push(text.length === 1 ? [text, text] : [text[0] ?? '"', text[1] ?? '"']);
    else if (name === 'escape') options.escapes.push(text);
    else if (name === 'greedy') options.greedy = /^true$/i.test(text);
    else if (name === 'regex') options.regex = text;
    else return compiler.unsupported(property, `parse-kv ${name}=`);
  }
  return (x, input) => {
    const shape = parsedShape(input, keys);
    const wanted = new Set(keys.map((k) => k.name));
    const rows = input.rows.map((row) => {
      const found = extractPairs(toKustoString(source(row, x)), options, wanted);
      const out: Row = { ...row };
      for (const key of keys) {
        const text = found.get(key.name);
        out[key.name] = text === undefined ? emptyValue(key.type) : (typedValue(text, key.type) ?? emptyValue(key.type));
      }
      return out;
    });
    return { ...shape, rows, serialized: input.serialized };
  };
}

function unquote(text: string, options: KvOptions): string {
  const trimmed = text.trim();
  for (const [open, close] of options.quotes) {
    if (trimmed.length >= 2 && trimmed.startsWith(open) && trimmed.endsWith(close)) {
      let inner = trimmed.slice(1, -1);
      for (const escape of options.escapes) inner = inner.replace(new RegExp(`${escapeJs(escape)}(.)`, 'gs'), '$1');
      return inner;
    }
  }
  return trimmed;
}

function escapeJs(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/** Splits on a delimiter outside quotes (an escaped quote does not close one). */
function splitOutsideQuotes(text: string, delimiter: string, options: KvOptions): string[] {
  const parts: string[] = [];
  let current = '';
  let closing: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (closing !== undefined) {
      if (options.escapes.includes(c) && i + 1 < text.length) {
        current += c + text[i + 1];
        i++;
        continue;
      }
      if (c === closing) closing = undefined;
      current += c;
      continue;
    }
    const quote = options.quotes.find(([open]) => open === c);
    if (quote) {
      closing = quote[1];
      current += c;
      continue;
    }
    if (text.startsWith(delimiter, i)) {
      parts.push(current);
      current = '';
      i += delimiter.length - 1;
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts;
}

function extractPairs(text: string, options: KvOptions, wanted: ReadonlySet<string>): Map<string, string> {
  const found = new Map<string, string>();
  const set = (key: string, value: string) => {
    const k = unquote(key, options);
    if (wanted.has(k) && !found.has(k)) found.set(k, unquote(value, options));
  };
  if (options.regex !== undefined) {
    const { regex } = kustoRegexWithNames(options.regex, '', 'g');
    for (let match = regex.exec(text); match; match = regex.exec(text)) {
      if (match[0] === '') regex.lastIndex++;
      set(match[1] ?? '', match[2] ?? '');
    }
    return found;
  }
  if (options.pair !== undefined && options.kv !== undefined) {
    const fragments = splitOutsideQuotes(text, options.pair, options);
    const pairs: [string, string][] = [];
    for (const fragment of fragments) {
      const at = splitOutsideQuotes(fragment, options.kv, options);
      if (at.length >= 2) pairs.push([at[0]!, at.slice(1).join(options.kv)]);
      // greedy: a value runs on to the next key, so a fragment without a key belongs to it.
      else if (options.greedy && pairs.length > 0) pairs[pairs.length - 1]![1] += options.pair + fragment;
    }
    for (const [key, value] of pairs) set(key, value);
    return found;
  }
  // No delimiters given: a key stands between non-alphanumeric characters, then one non-alphanumeric
  // delimiter, then the value: quoted, or a run of alphanumeric characters.
  for (const key of wanted) {
    const escaped = escapeJs(key);
    const quoted = options.quotes.map(([open, close]) => `${escapeJs(open)}(?:[^${escapeJs(close)}${options.escapes.map(escapeJs).join('')}]|${options.escapes.map((e) => `${escapeJs(e)}.`).join('|') || '(?!)'})*${escapeJs(close)}`);
    const value = [...quoted, '[\\p{L}\\p{N}_]+'].join('|');
    const re = new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}\\s*[^\\p{L}\\p{N}\\s]\\s*(${value})`, 'u');
    const match = re.exec(text);
    if (match) set(key, match[1]!);
  }
  return found;
}
