import { markReals } from './real-marks.js';
import { fromJson, longValue, setBagValue, type KBag, type KValue } from './values.js';

/**
 * JSON text (json.org) to a dynamic value, as parse_json() reads it. Unlike JSON.parse, an integer
 * beyond 2^53 keeps every digit (Kusto's long is 64-bit). Undefined when the text is not JSON.
 */
export function parseJsonText(text: string): KValue | undefined {
  // The platform's parser is exact unless a number has 16 digits or more, or a whole number is
  // written as a real (1.0, 2e3: a real to Kusto); only then is ours needed.
  if (!/\d{16}|\d[.eE]/.test(text)) {
    try {
      return fromJson(JSON.parse(text));
    } catch {
      return undefined;
    }
  }
  return parseExactly(text);
}

function parseExactly(text: string): KValue | undefined {
  let at = 0;
  const n = text.length;
  class NotJson extends Error {}
  const fail = (): never => {
    throw new NotJson();
  };
  const space = () => {
    while (at < n) {
      const c = text.charCodeAt(at);
      if (c === 32 || c === 9 || c === 10 || c === 13) at++;
      else break;
    }
  };
  const value = (depth: number): KValue => {
    if (depth > 1000) fail();
    space();
    const c = text[at];
    if (c === '{') {
      at++;
      const bag: KBag = {};
      space();
      if (text[at] === '}') {
        at++;
        return bag;
      }
      for (;;) {
        space();
        if (text[at] !== '"') fail();
        const key = string();
        space();
        if (text[at] !== ':') fail();
        at++;
        setBagValue(bag, key, value(depth + 1));
        space();
        if (text[at] === ',') {
          at++;
          continue;
        }
        if (text[at] === '}') {
          at++;
          return bag;
        }
        fail();
      }
    }
    if (c === '[') {
      at++;
      const items: KValue[] = [];
      const reals = new Set<number>();
      space();
      if (text[at] === ']') {
        at++;
        return items;
      }
      for (;;) {
        const start = at;
        items.push(value(depth + 1));
        if (typeof items[items.length - 1] === 'number' && /[.eE]/.test(text.slice(start, at))) reals.add(items.length - 1);
        space();
        if (text[at] === ',') {
          at++;
          continue;
        }
        if (text[at] === ']') {
          at++;
          markReals(items, reals);
          return items;
        }
        fail();
      }
    }
    if (c === '"') return string();
    if (text.startsWith('true', at)) {
      at += 4;
      return true;
    }
    if (text.startsWith('false', at)) {
      at += 5;
      return false;
    }
    if (text.startsWith('null', at)) {
      at += 4;
      return null;
    }
    const match = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(at, at + 400));
    if (!match) return fail();
    at += match[0].length;
    if (match[1] === undefined && match[2] === undefined) {
      const number = Number(match[0]);
      return Number.isSafeInteger(number) ? number : longValue(BigInt(match[0]));
    }
    return Number(match[0]);
  };
  const string = (): string => {
    at++;
    let out = '';
    let start = at;
    for (;;) {
      if (at >= n) fail();
      const c = text.charCodeAt(at);
      if (c === 34) {
        out += text.slice(start, at);
        at++;
        return out;
      }
      if (c < 32) fail();
      if (c === 92) {
        out += text.slice(start, at);
        const e = text[at + 1];
        at += 2;
        switch (e) {
          case '"':
          case '\\':
          case '/':
            out += e;
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'u': {
            const hex = text.slice(at, at + 4);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail();
            out += String.fromCharCode(parseInt(hex, 16));
            at += 4;
            break;
          }
          default:
            fail();
        }
        start = at;
      } else at++;
    }
  };
  try {
    const result = value(0);
    space();
    return at === n ? result : undefined;
  } catch (error) {
    if (error instanceof NotJson) return undefined;
    throw error;
  }
}
