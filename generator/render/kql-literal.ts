/**
 * The only way a manifest value enters a KQL query. Whatever the value holds (quotes, backslashes,
 * pipes, newlines, `{{`, any unicode), the result is exactly one KQL literal token, so the value
 * can never change the shape of the query around it.
 */
export type KqlValue = string | number | boolean | readonly KqlValue[];

export class KqlLiteralError extends Error {}

export function kqlString(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i]!;
    const code = value.charCodeAt(i);
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (code < 0x20 || code === 0x7f || code === 0x2028 || code === 0x2029) out += unicodeEscape(code);
    else if (code >= 0xd800 && code <= 0xdbff) {
      const next = value.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += ch + value[i + 1]!;
        i += 1;
      } else {
        // A lone surrogate cannot be written as UTF-8; the escape keeps it intact.
        out += unicodeEscape(code);
      }
    } else if (code >= 0xdc00 && code <= 0xdfff) out += unicodeEscape(code);
    else out += ch;
  }
  return out + '"';
}

function unicodeEscape(code: number): string {
  return `\\u${code.toString(16).padStart(4, '0')}`;
}

function scalar(value: string | number | boolean): string {
  if (typeof value === 'string') return kqlString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (!Number.isFinite(value)) throw new KqlLiteralError(`cannot write ${value} as a KQL literal`);
  return Number.isInteger(value) ? `long(${value})` : `real(${value})`;
}

/** A scalar becomes a typed literal; an array becomes `dynamic([...])` of scalars. */
export function kqlLiteral(value: KqlValue): string {
  if (Array.isArray(value)) {
    const items = value.map((item: KqlValue) => {
      if (Array.isArray(item)) throw new KqlLiteralError('nested arrays are not supported in a KQL literal');
      return scalar(item as string | number | boolean);
    });
    return `dynamic([${items.join(', ')}])`;
  }
  return scalar(value as string | number | boolean);
}
