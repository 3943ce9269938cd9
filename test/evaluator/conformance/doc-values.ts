/**
 * Reading a cell of a documentation page's output table. The pages print results for people:
 * markdown artefacts (`code` quotes, <br> for a line break, <https://...> autolinks, \_ escapes),
 * JSON with single quotes or loose spacing, numbers with thousands separators, and elisions
 * ("...", "[ ... ]") where the page leaves part of a value out. These readers undo presentation only.
 */

/** A JSON-like value as a page prints it; numbers keep their text so that no digit is lost. */
export type DocJson =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'number'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'array'; items: DocJson[] }
  | { kind: 'object'; entries: [string, DocJson][] }
  /** "..." or "[ ... ]": the page leaves out any number of elements here. */
  | { kind: 'ellipsis' };

/** The cell's text without markdown artefacts: `x` quotes, <br> line breaks, <url> autolinks; trimmed (a table cell cannot show edge spaces). */
export function cellText(raw: string): string {
  let text = raw.replace(/<br\s*\/?>/gi, '\n').trim();
  if (text.length >= 2 && text.startsWith('`') && text.endsWith('`')) text = text.slice(1, -1).trim();
  const autolink = /^<([a-z][a-z0-9+.-]*:[^<>\s]*)>$/i.exec(text);
  if (autolink) text = autolink[1]!;
  return text;
}

/** A column name as the page writes it: `Name` quotes and \_ escapes dropped. */
export function headerText(raw: string): string {
  return cellText(raw).replace(/\\_/g, '_');
}

export function isElision(text: string): boolean {
  return /^\.{3,}$/.test(text.trim());
}

/** Lenient JSON: single or double quotes, any spacing, and elisions; undefined when the text is not JSON at all. */
export function parseDocJson(text: string): DocJson | undefined {
  let at = 0;
  const fail = (): never => {
    throw new SyntaxError(`not JSON at ${at}`);
  };
  const space = () => {
    while (at < text.length && /\s/.test(text[at]!)) at++;
  };
  const value = (): DocJson => {
    space();
    const c = text[at];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"' || c === "'") return { kind: 'string', value: string(c) };
    if (text.startsWith('...', at)) {
      while (text[at] === '.') at++;
      return { kind: 'ellipsis' };
    }
    const number = /^-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(at));
    if (number) {
      at += number[0].length;
      return { kind: 'number', text: number[0] };
    }
    for (const [word, result] of [
      ['true', { kind: 'bool', value: true }],
      ['false', { kind: 'bool', value: false }],
      ['null', { kind: 'null' }],
      ['NaN', { kind: 'number', text: 'NaN' }],
    ] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return result;
      }
    }
    return fail();
  };
  const string = (quote: string): string => {
    at++;
    let out = '';
    while (at < text.length && text[at] !== quote) {
      if (text[at] === '\\') {
        const next = text[at + 1];
        at += 2;
        if (next === 'u') {
          out += String.fromCharCode(parseInt(text.slice(at, at + 4), 16));
          at += 4;
        } else out += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next === 'b' ? '\b' : next === 'f' ? '\f' : (next ?? '');
      } else out += text[at++];
    }
    if (text[at] !== quote) fail();
    at++;
    return out;
  };
  const array = (): DocJson => {
    at++;
    const items: DocJson[] = [];
    space();
    if (text[at] === ']') {
      at++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(value());
      space();
      if (text[at] === ',') {
        at++;
        space();
        if (text[at] === ']') {
          at++;
          return { kind: 'array', items };
        }
        continue;
      }
      if (text[at] === ']') {
        at++;
        return { kind: 'array', items };
      }
      return fail();
    }
  };
  const object = (): DocJson => {
    at++;
    const entries: [string, DocJson][] = [];
    space();
    if (text[at] === '}') {
      at++;
      return { kind: 'object', entries };
    }
    for (;;) {
      space();
      if (text.startsWith('...', at)) {
        while (text[at] === '.') at++;
        entries.push(['...', { kind: 'ellipsis' }]);
      } else {
        const quote = text[at];
        if (quote !== '"' && quote !== "'") return fail();
        const key = string(quote);
        space();
        if (text[at] !== ':') return fail();
        at++;
        entries.push([key, value()]);
      }
      space();
      if (text[at] === ',') {
        at++;
        continue;
      }
      if (text[at] === '}') {
        at++;
        return { kind: 'object', entries };
      }
      return fail();
    }
  };
  try {
    const result = value();
    space();
    return at === text.length ? result : undefined;
  } catch {
    return undefined;
  }
}

const TICKS_PER_SECOND = 10_000_000n;

/**
 * A datetime as pages print it: 2021-01-01 00:00:00.0000000, 2017-05-14T12:00:00Z, 2024-12-15
 * 07:15:24, 2023-02-01; as 100-ns ticks since the Unix epoch, undefined when the text is not one.
 */
export function docDateTimeTicks(text: string): bigint | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?Z?$/.exec(text.trim());
  if (!match) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = ''] = match;
  const seconds = BigInt(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))) / 1000n;
  return seconds * TICKS_PER_SECOND + BigInt(fraction.padEnd(7, '0') || '0');
}

/** A timespan as Kusto prints it, [-][d.]hh:mm:ss[.fffffff], in ticks; undefined when the text is not one. */
export function docTimespanTicks(text: string): bigint | undefined {
  const match = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, minus, days = '0', h, m, s, fraction = ''] = match;
  const ticks = ((BigInt(days) * 24n + BigInt(h!)) * 60n + BigInt(m!)) * 60n * TICKS_PER_SECOND + BigInt(s!) * TICKS_PER_SECOND + BigInt(fraction.padEnd(7, '0') || '0');
  return minus ? -ticks : ticks;
}
