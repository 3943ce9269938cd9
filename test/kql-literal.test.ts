import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kqlLiteral, kqlString } from '../generator/render/kql-literal.js';
import { kustoLanguage } from '../generator/validate/kusto-runtime.js';

/** Parses `print x = <literal>` and returns the diagnostics and the literal's value as Kusto reads it. */
function parseLiteral(literal: string): { errors: string[]; value: unknown; kinds: string[] } {
  const K = kustoLanguage();
  const code = K.KustoCode.ParseAndAnalyze(`print x = ${literal}`, K.GlobalState.Default)!;
  const list = code.GetDiagnostics()!;
  const errors: string[] = [];
  for (let i = 0; i < list.Count; i++) errors.push(list.getItem(i)!.Message ?? '');
  let value: unknown;
  const kinds: string[] = [];
  code.Syntax!.WalkElements((e) => {
    kinds.push(String(e.Kind));
    if (e.Kind === K.Syntax.SyntaxKind.StringLiteralExpression) value = (e as Kusto.Language.Syntax.LiteralExpression).LiteralValue;
  });
  return { errors, value, kinds };
}

const hostile = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom('"', '\\', '\\"', '"|', '" | take 1 //', '\n| where 1==1', '{{kql x}}', '}}', "'", '@"x"', '```', 'h"x"', '\u2028', '\u0000', '\ud800', 'é😀'),
  fc.array(fc.constantFrom('"', '\\', '|', '\n', '\r', '{{', '}}', "'", ';', '//', 'a', '😀', '\u0085'), { maxLength: 12 }).map((a) => a.join('')),
);

describe('kqlString', () => {
  it('escapes quotes, backslashes and line breaks', () => {
    expect(kqlString('a"b\\c\nd')).toBe('"a\\"b\\\\c\\u000ad"');
  });

  it('keeps ordinary unicode as is', () => {
    expect(kqlString('Zoë 😀')).toBe('"Zoë 😀"');
  });

  it('writes any string as exactly one string literal whose value is the string (property)', () => {
    fc.assert(
      fc.property(hostile, (value) => {
        const parsed = parseLiteral(kqlString(value));
        expect(parsed.errors).toEqual([]);
        expect(parsed.value).toBe(value);
        expect(parsed.kinds).toEqual(parseLiteral('"plain"').kinds);
      }),
      { numRuns: 300 },
    );
  });
});

describe('kqlLiteral', () => {
  it('writes lists as dynamic arrays and scalars as typed literals', () => {
    expect(kqlLiteral(['a', 'b"'])).toBe('dynamic(["a", "b\\""])');
    expect(kqlLiteral(5)).toBe('long(5)');
    expect(kqlLiteral(1.5)).toBe('real(1.5)');
    expect(kqlLiteral(true)).toBe('true');
    expect(parseLiteral(kqlLiteral(['x', 'y"|'])).errors).toEqual([]);
  });

  it('refuses values it cannot write safely', () => {
    expect(() => kqlLiteral(Number.NaN)).toThrow(/NaN/);
    expect(() => kqlLiteral([['nested']])).toThrow(/nested/);
  });
});
