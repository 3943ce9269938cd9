/**
 * A checker for the part of the Logic Apps workflow definition language our playbook uses:
 * function calls, single-quoted string literals ('' escapes a quote), numbers, true/false/null,
 * and property access with `?['name']`, `['name']`, `?.name` and `.name`.
 */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

export type Expression =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'literal'; value: boolean | null }
  | { kind: 'call'; name: string; args: Expression[] }
  | { kind: 'index'; target: Expression; key: Expression; optional: boolean }
  | { kind: 'member'; target: Expression; name: string; optional: boolean };

/** Functions of the workflow definition language that the playbook may call. */
export const KNOWN_FUNCTIONS = new Set([
  'actions', 'addMinutes', 'and', 'body', 'coalesce', 'concat', 'contains', 'convertFromUtc', 'createArray', 'empty', 'encodeUriComponent',
  'encodeURIComponent', 'equals', 'first', 'formatDateTime', 'greater', 'if', 'item', 'items', 'join', 'json', 'last', 'length',
  'listCallbackUrl', 'not', 'or', 'outputs', 'parameters', 'replace', 'result', 'split', 'string', 'substring', 'take',
  'ticks', 'toLower', 'toUpper', 'trigger', 'triggerBody', 'triggerOutputs', 'union', 'utcNow', 'variables', 'workflow',
]);

export function parseExpression(text: string): Expression {
  const parser = new Parser(text);
  const expression = parser.expression();
  parser.skipSpace();
  if (!parser.atEnd()) throw new ExpressionError(`unexpected '${text.slice(parser.pos, parser.pos + 10)}'`, parser.pos);
  return expression;
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  skipSpace(): void {
    while (/\s/.test(this.text[this.pos] ?? '')) this.pos += 1;
  }

  private expect(token: string): void {
    this.skipSpace();
    if (!this.text.startsWith(token, this.pos)) throw new ExpressionError(`expected '${token}'`, this.pos);
    this.pos += token.length;
  }

  expression(): Expression {
    let target = this.primary();
    for (;;) {
      this.skipSpace();
      const optional = this.text[this.pos] === '?';
      const next = this.text[this.pos + (optional ? 1 : 0)];
      if (next === '[') {
        this.pos += optional ? 2 : 1;
        const key = this.expression();
        this.expect(']');
        target = { kind: 'index', target, key, optional };
      } else if (next === '.' && /[A-Za-z_]/.test(this.text[this.pos + (optional ? 2 : 1)] ?? '')) {
        this.pos += optional ? 2 : 1;
        target = { kind: 'member', target, name: this.identifier(), optional };
      } else return target;
    }
  }

  private primary(): Expression {
    this.skipSpace();
    const ch = this.text[this.pos];
    if (ch === undefined) throw new ExpressionError('expression ends too soon', this.pos);
    if (ch === "'") return { kind: 'string', value: this.string() };
    if (/[-\d]/.test(ch)) {
      const match = /^-?\d+(\.\d+)?/.exec(this.text.slice(this.pos));
      if (!match) throw new ExpressionError('bad number', this.pos);
      this.pos += match[0].length;
      return { kind: 'number', value: Number(match[0]) };
    }
    if (!/[A-Za-z_]/.test(ch)) throw new ExpressionError(`unexpected '${ch}'`, this.pos);
    const start = this.pos;
    const name = this.identifier();
    if (name === 'true' || name === 'false') return { kind: 'literal', value: name === 'true' };
    if (name === 'null') return { kind: 'literal', value: null };
    this.skipSpace();
    if (this.text[this.pos] !== '(') throw new ExpressionError(`'${name}' is not a function call`, start);
    if (!KNOWN_FUNCTIONS.has(name)) throw new ExpressionError(`unknown function '${name}'`, start);
    this.pos += 1;
    const args: Expression[] = [];
    this.skipSpace();
    if (this.text[this.pos] === ')') {
      this.pos += 1;
      return { kind: 'call', name, args };
    }
    for (;;) {
      args.push(this.expression());
      this.skipSpace();
      const sep = this.text[this.pos];
      this.pos += 1;
      if (sep === ')') return { kind: 'call', name, args };
      if (sep !== ',') throw new ExpressionError(`expected ',' or ')' in the arguments of ${name}()`, this.pos - 1);
    }
  }

  private identifier(): string {
    const match = /^[A-Za-z_][A-Za-z0-9_]*/.exec(this.text.slice(this.pos));
    if (!match) throw new ExpressionError('expected a name', this.pos);
    this.pos += match[0].length;
    return match[0];
  }

  private string(): string {
    let value = '';
    this.pos += 1;
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined) throw new ExpressionError('unterminated string literal', this.pos);
      this.pos += 1;
      if (ch === "'") {
        if (this.text[this.pos] === "'") {
          value += "'";
          this.pos += 1;
        } else return value;
      } else value += ch;
    }
  }
}

export interface StringValue {
  /** The literal text segments and the expressions between them, in order. */
  parts: ({ text: string } | { expression: Expression; source: string })[];
  /** True when the whole value is one expression (`@fn(...)`), not a string with `@{...}` in it. */
  isExpression: boolean;
}

/**
 * How Logic Apps reads a string value in a workflow definition: `@@` at the start is a literal
 * `@`; `@expr` makes the whole value an expression; otherwise each `@{expr}` is interpolated and
 * `@@{` is a literal `@{`.
 */
export function parseStringValue(value: string): StringValue {
  if (value.startsWith('@@')) return { parts: [{ text: value.slice(1) }], isExpression: false };
  if (value.startsWith('@') && !value.startsWith('@{')) {
    const source = value.slice(1);
    return { parts: [{ expression: parseExpression(source), source }], isExpression: true };
  }
  const parts: StringValue['parts'] = [];
  let text = '';
  let i = 0;
  while (i < value.length) {
    if (value.startsWith('@@{', i)) {
      text += '@{';
      i += 3;
    } else if (value.startsWith('@{', i)) {
      const end = closingBrace(value, i + 2);
      if (text) parts.push({ text });
      text = '';
      const source = value.slice(i + 2, end);
      try {
        parts.push({ expression: parseExpression(source), source });
      } catch (error) {
        if (error instanceof ExpressionError) throw new ExpressionError(error.message, i + 2 + error.offset);
        throw error;
      }
      i = end + 1;
    } else {
      text += value[i];
      i += 1;
    }
  }
  if (text) parts.push({ text });
  return { parts, isExpression: false };
}

/** The `}` that closes an interpolation, skipping braces inside string literals. */
function closingBrace(value: string, from: number): number {
  let inString = false;
  for (let i = from; i < value.length; i++) {
    const ch = value[i];
    if (ch === "'") {
      if (inString && value[i + 1] === "'") i += 1;
      else inString = !inString;
    } else if (ch === '}' && !inString) return i;
  }
  throw new ExpressionError("'@{' is never closed with '}'", from - 2);
}
