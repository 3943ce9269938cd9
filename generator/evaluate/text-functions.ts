import { kustoRegex, kustoRegexWithNames, escapeRegExp } from './kusto-regex.js';
import { punycodeDecode, punycodeEncode } from './punycode.js';
import { fn, type ScalarFunction } from './scalar-function.js';
import { isBag, isNumeric, newBag, toKustoString, type KValue } from './values.js';

/**
 * String functions as Kusto documents them. A string is never null, so "no result" is "".
 * Positions and lengths count characters as Unicode code points (strlen.md: "This function counts
 * Unicode code points"), so a character outside the Basic Multilingual Plane is one, not two.
 */
const text = (value: KValue | undefined) => toKustoString(value ?? null);

const SURROGATE = /[\uD800-\uDFFF]/;

/** The string as code points, only when it holds a character beyond the BMP (else UTF-16 units are code points). */
function codePoints(s: string): string[] | undefined {
  return SURROGATE.test(s) ? Array.from(s) : undefined;
}

export function codePointLength(s: string): number {
  const cps = codePoints(s);
  return cps ? cps.length : s.length;
}

/** Code points [start, end) of a string. */
function slice(s: string, start: number, end?: number): string {
  const cps = codePoints(s);
  return cps ? cps.slice(start, end).join('') : s.slice(start, end);
}

/** The code point index of a UTF-16 index. */
function codePointIndex(s: string, utf16: number): number {
  if (!SURROGATE.test(s)) return utf16;
  return Array.from(s.slice(0, utf16)).length;
}

function utf16Index(s: string, codePoint: number): number {
  if (!SURROGATE.test(s)) return codePoint;
  return Array.from(s).slice(0, codePoint).join('').length;
}

function intArg(value: KValue | undefined, fallback: number): number | null {
  if (value === undefined) return fallback;
  if (value === null) return null;
  if (isNumeric(value)) return Number(value);
  return null;
}

/** Plain matches may overlap ("aaaa" holds "aa" three times); regex matches do not. */
function countOf(source: string, search: string, kind: string): number | null {
  if (kind === 'regex') {
    let count = 0;
    const re = kustoRegex(search, '', 'g');
    for (let match = re.exec(source); match; match = re.exec(source)) {
      count++;
      if (match[0] === '') re.lastIndex += source.codePointAt(re.lastIndex)! > 0xffff ? 2 : 1;
    }
    return count;
  }
  if (kind !== 'normal') return null;
  if (search === '') return 0;
  let count = 0;
  for (let at = source.indexOf(search); at !== -1; at = source.indexOf(search, at + 1)) count++;
  return count;
}

/** replace_regex's rewrite: \0 is the whole match, \1..\9 the groups. */
function rewrite(pattern: string, match: RegExpExecArray): string {
  return pattern.replace(/\\(\d)/g, (_all, digit: string) => match[Number(digit)] ?? '');
}

function replaceRegex(source: string, lookup: string, replacement: string): string {
  const re = kustoRegex(lookup, '', 'g');
  let out = '';
  let last = 0;
  for (let match = re.exec(source); match; match = re.exec(source)) {
    out += source.slice(last, match.index) + rewrite(replacement, match);
    last = match.index + match[0].length;
    if (match[0] === '') {
      if (re.lastIndex >= source.length) break;
      const step = source.codePointAt(re.lastIndex)! > 0xffff ? 2 : 1;
      out += source.slice(re.lastIndex, re.lastIndex + step);
      last = re.lastIndex + step;
      re.lastIndex += step;
    }
  }
  return out + source.slice(last);
}

/**
 * replace_strings: the lookups in list order, each replacing its occurrences in the text the earlier
 * ones left untouched (the page's examples: with lookups ['is', 'This'], "This is" becomes "Thwas was").
 */
function replaceStrings(source: string, lookups: KValue, rewrites: KValue): string | null {
  if (!Array.isArray(lookups) || !Array.isArray(rewrites)) return null;
  let segments: { text: string; done: boolean }[] = [{ text: source, done: false }];
  lookups.forEach((lookup, i) => {
    const rewrite = rewrites[i];
    if (typeof lookup !== 'string' || lookup === '' || typeof rewrite !== 'string') return;
    segments = segments.flatMap((segment) => {
      if (segment.done) return [segment];
      const parts = segment.text.split(lookup);
      return parts.flatMap((part, k) => (k === 0 ? [{ text: part, done: false }] : [{ text: rewrite, done: true }, { text: part, done: false }]));
    });
  });
  return segments.map((s) => s.text).join('');
}

/**
 * indexof(string, match[, start[, length[, occurrence]]]): as the page's examples show, a negative
 * start counts from the end, and each further occurrence is searched from one past the previous
 * one within a window of the same length.
 */
function indexOf(source: string, lookup: string, startArg: KValue | undefined, lengthArg: KValue | undefined, occurrenceArg: KValue | undefined): KValue {
  const start0 = intArg(startArg, 0);
  const length = intArg(lengthArg, -1);
  const occurrence = intArg(occurrenceArg, 1);
  if (start0 === null || length === null || occurrence === null || length < -1 || occurrence < 0) return null;
  const total = codePointLength(source);
  let start = start0 < 0 ? Math.max(0, total + start0) : start0;
  if (start > total) return -1;
  let found = -1;
  for (let n = 0; n < Math.max(1, occurrence); n++) {
    const window = length === -1 ? slice(source, start) : slice(source, start, start + length);
    const at = window.indexOf(lookup);
    if (at === -1) return -1;
    found = start + codePointIndex(window, at);
    start = found + 1;
  }
  return found;
}

/** indexof_regex: occurrences do not overlap; a negative start is null (the page's example). */
function indexOfRegex(source: string, lookup: string, startArg: KValue | undefined, lengthArg: KValue | undefined, occurrenceArg: KValue | undefined): KValue {
  const start = intArg(startArg, 0);
  const length = intArg(lengthArg, -1);
  const occurrence = intArg(occurrenceArg, 1);
  if (start === null || length === null || occurrence === null || start < 0 || length < -1 || occurrence < 0) return null;
  const window = length === -1 ? slice(source, start) : slice(source, start, start + length);
  const re = kustoRegex(lookup, '', 'g');
  let match: RegExpExecArray | null = null;
  for (let n = 0; n < Math.max(1, occurrence); n++) {
    match = re.exec(window);
    if (!match) return -1;
    if (match[0] === '') re.lastIndex++;
  }
  return match ? start + codePointIndex(window, match.index) : -1;
}

/** extract_all(regex, [groups,] source): every match's groups; null when nothing matches. */
function extractAll(pattern: string, groups: KValue | undefined, source: string): KValue {
  const { regex, names } = kustoRegexWithNames(pattern, '', 'g');
  const count = names.length - 1;
  if (count < 1) return null;
  let selected: number[];
  if (groups === undefined) selected = Array.from({ length: count }, (_, i) => i + 1);
  else {
    if (!Array.isArray(groups)) return null;
    selected = groups.map((g) => (typeof g === 'string' ? names.indexOf(g) : isNumeric(g) ? Number(g) : -1));
    if (selected.some((g) => g < 1 || g > count)) return null;
  }
  const out: KValue[] = [];
  for (let match = regex.exec(source); match; match = regex.exec(source)) {
    if (match[0] === '') regex.lastIndex++;
    const values = selected.map((g) => match![g] ?? '');
    out.push(selected.length === 1 ? values[0]! : values);
  }
  return out.length === 0 ? null : out;
}

/** trim(regex, source): the pattern repeated at both ends (trim_start, trim_end: at one end). */
function trimmer(start: boolean, end: boolean): ScalarFunction {
  return fn(2, 2, ([pattern, source]) => {
    let result = text(source);
    const p = text(pattern);
    if (start) result = result.replace(kustoRegex(`\\A(?:${p})+`), '');
    if (end) result = result.replace(kustoRegex(`(?:${p})+\\z`), '');
    return result;
  });
}

const URL_SAFE = /[A-Za-z0-9\-_.!~*'()]/;

/** url_encode: as .NET's HttpUtility.UrlEncode (the page's example): spaces as +, lower-case hex. */
function urlEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += byte < 128 && URL_SAFE.test(c) ? c : byte === 32 ? '+' : `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function urlDecode(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '+') bytes.push(32);
    else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

export const TEXT_FUNCTIONS: Record<string, ScalarFunction> = {
  strlen: fn(1, 1, ([value]) => codePointLength(text(value))),
  string_size: fn(1, 1, ([value]) => Buffer.byteLength(text(value), 'utf8')),
  strcat: fn(1, 64, (args) => args.map(toKustoString).join('')),
  strcat_delim: fn(3, 65, ([delimiter, ...args]) => args.map(toKustoString).join(text(delimiter))),
  tolower: fn(1, 1, ([value]) => text(value).toLowerCase()),
  toupper: fn(1, 1, ([value]) => text(value).toUpperCase()),
  /** substring(source, start[, length]): a negative start counts from the end (substring.md). */
  substring: fn(2, 3, ([source, start, length]) => {
    const s = text(source);
    const total = codePointLength(s);
    const from0 = intArg(start, 0);
    if (from0 === null) return '';
    const from = from0 < 0 ? Math.max(0, total + from0) : Math.min(from0, total);
    const count = length === undefined ? total - from : intArg(length, 0);
    if (count === null) return '';
    return slice(s, from, from + Math.max(0, count));
  }),
  split: fn(2, 3, ([source, delimiter, index]) => {
    const s = text(source);
    const d = text(delimiter);
    const parts = d === '' ? [s] : s.split(d);
    if (index === undefined) return parts;
    const i = intArg(index, 0);
    return i !== null && i >= 0 && i < parts.length ? [parts[i]!] : [];
  }),
  replace_string: fn(3, 3, ([source, lookup, replacement]) => {
    const s = text(source);
    const find = text(lookup);
    return find === '' ? s : s.split(find).join(text(replacement));
  }),
  replace: fn(3, 3, ([lookup, replacement, source]) => replaceRegex(text(source), text(lookup), text(replacement))),
  replace_regex: fn(3, 3, ([source, lookup, replacement]) => replaceRegex(text(source), text(lookup), text(replacement))),
  replace_strings: fn(3, 3, ([source, lookups, rewrites]) => replaceStrings(text(source), lookups ?? null, rewrites ?? null)),
  reverse: fn(1, 1, ([value]) => Array.from(text(value)).reverse().join('')),
  trim: trimmer(true, true),
  trim_start: trimmer(true, false),
  trim_end: trimmer(false, true),
  indexof: fn(2, 5, ([source, lookup, start, length, occurrence]) => indexOf(text(source), text(lookup), start, length, occurrence)),
  indexof_regex: fn(2, 5, ([source, lookup, start, length, occurrence]) => indexOfRegex(text(source), text(lookup), start, length, occurrence)),
  countof: fn(2, 3, ([source, search, kind]) => countOf(text(source), text(search), kind === undefined ? 'normal' : text(kind).toLowerCase())),
  extract_all: fn(2, 3, (args) => (args.length === 2 ? extractAll(text(args[0]), undefined, text(args[1])) : extractAll(text(args[0]), args[1] ?? null, text(args[2])))),
  regex_quote: fn(1, 1, ([value]) => escapeRegExp(text(value))),
  strrep: fn(2, 3, ([value, times, delimiter]) => {
    const n = intArg(times, 0);
    if (n === null || n < 0) return '';
    return Array.from({ length: n }, () => text(value)).join(text(delimiter));
  }),
  strcmp: fn(2, 2, ([a, b]) => {
    const x = text(a);
    const y = text(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }),
  url_encode: fn(1, 1, ([value]) => urlEncode(text(value))),
  url_encode_component: fn(1, 1, ([value]) => urlEncode(text(value))),
  url_decode: fn(1, 1, ([value]) => urlDecode(text(value))),
  unicode_codepoints_from_string: fn(1, 1, ([value]) => Array.from(text(value), (c) => c.codePointAt(0)!)),
  unicode_codepoints_to_string: fn(1, 64, (args) => {
    const points: number[] = [];
    for (const a of args) {
      for (const v of Array.isArray(a) ? a : [a]) {
        if (!isNumeric(v)) return null;
        const cp = Number(v);
        if (!Number.isInteger(cp) || cp < 0 || cp > 0x10ffff) return null;
        points.push(cp);
      }
    }
    return String.fromCodePoint(...points);
  }),
  make_string: fn(1, 64, (args) => {
    const points = args.flatMap((a) => (Array.isArray(a) ? a : [a]));
    return points.every(isNumeric) ? String.fromCodePoint(...points.map(Number)) : null;
  }),
  translate: fn(3, 3, ([searchList, replacementList, source]) => {
    const from = Array.from(text(searchList));
    const to = Array.from(text(replacementList));
    return Array.from(text(source))
      .map((c) => {
        const i = from.indexOf(c);
        if (i === -1) return c;
        return to.length === 0 ? '' : (to[Math.min(i, to.length - 1)] ?? '');
      })
      .join('');
  }),
  /** has_any_index(source, values): the index of the first value that is a term of source, -1 if none. */
  has_any_index: fn(2, 2, ([source, values]) => {
    if (!Array.isArray(values)) return null;
    const s = text(source).toLowerCase();
    const words = new Set(s.split(/[^\p{L}\p{N}]+/u));
    return values.findIndex((v) => typeof v === 'string' && (v === '' ? false : words.has(v.toLowerCase())));
  }),
  parse_urlquery: fn(1, 1, ([value]) => newBag([['Query Parameters', queryParameters(text(value))]])),
  parse_url: fn(1, 1, ([value]) => parseUrl(text(value))),
  parse_path: fn(1, 1, ([value]) => parsePath(text(value))),
  punycode_from_string: fn(1, 1, ([value]) => punycodeEncode(text(value))),
  punycode_to_string: fn(1, 1, ([value]) => punycodeDecode(text(value)) ?? ''),
  isascii: fn(1, 1, ([value]) => /^[\x00-\x7F]*$/.test(text(value))),
  isutf8: fn(1, 1, () => true),
};

function queryParameters(query: string): KValue {
  const bag = newBag([]);
  for (const part of query.replace(/^\?/, '').split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = urlDecode(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : urlDecode(part.slice(eq + 1));
    Object.defineProperty(bag, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return bag;
}

/** parse_url: the parts of an absolute URL; every part "" when the text is not one. */
function parseUrl(url: string): KValue {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^:/?#]*)(?::(\d+))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/i.exec(url);
  if (!match) return newBag([['Scheme', ''], ['Host', ''], ['Port', ''], ['Path', ''], ['Username', ''], ['Password', ''], ['Query Parameters', newBag([])], ['Fragment', '']]);
  const [, scheme, user = '', password = '', host = '', port = '', path = '', query = '', fragment = ''] = match;
  return newBag([
    ['Scheme', scheme!],
    ['Host', host],
    ['Port', port],
    ['Path', path],
    ['Username', user],
    ['Password', password],
    ['Query Parameters', queryParameters(query)],
    ['Fragment', fragment],
  ]);
}

/** parse_path: scheme, root, directory, file name, extension and alternate data stream of a path. */
function parsePath(path: string): KValue {
  let rest = path;
  let scheme = '';
  const schemeMatch = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  if (schemeMatch) {
    scheme = schemeMatch[1]!;
    rest = rest.slice(schemeMatch[0].length);
  }
  let stream = '';
  const lastSeparator = Math.max(rest.lastIndexOf('/'), rest.lastIndexOf('\\'));
  const tail = rest.slice(lastSeparator + 1);
  const colon = tail.indexOf(':');
  if (colon > 0) {
    stream = tail.slice(colon + 1);
    rest = rest.slice(0, lastSeparator + 1 + colon);
  }
  // The root is a drive (C:); a UNC share or a leading slash has none (parse-path-function.md's examples).
  const root = /^[a-z]:/i.exec(rest)?.[0] ?? '';
  const separator = Math.max(rest.lastIndexOf('/'), rest.lastIndexOf('\\'));
  const directory = separator === -1 ? '' : rest.slice(0, separator);
  const file = rest.slice(separator + 1);
  const directoryName = directory.split(/[\\/]/).filter((p) => p !== '').pop() ?? '';
  const dot = file.lastIndexOf('.');
  return newBag([
    ['Scheme', scheme],
    ['RootPath', root],
    ['DirectoryPath', directory],
    ['DirectoryName', directoryName],
    ['Filename', file],
    ['Extension', dot === -1 ? '' : file.slice(dot + 1)],
    ['AlternateDataStreamName', stream],
  ]);
}

export { isBag, utf16Index };
