import { EvaluationError } from './evaluation-error.js';

/**
 * Kusto's regular expressions (regex.md) translated to JavaScript ones (the `v` flag: Unicode
 * sets). The two dialects differ where rules meet them: in Kusto `.` matches everything but `\n`
 * (also `\r`), `\d`, `\s`, `\w` and `\b` are Unicode classes, `^`/`$` in multi-line mode see only
 * `\n`, `\A` and `\z` anchor the haystack, POSIX classes `[[:alpha:]]`, class set operations
 * (`&&`, `--`, `~~`), `\p{Greek}`, `\x{10FFFF}` and flags (`(?i)`, `(?s:...)`) exist; lookaround
 * and backreferences do not. Every construct is parsed and rewritten, so the JavaScript engine
 * never reads Kusto syntax with its own meaning. Compiled patterns are kept: a query applies the
 * same few patterns to every row.
 */

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  U: boolean;
  x: boolean;
  u: boolean;
  R: boolean;
}

class RegexSyntaxError extends Error {}
/** A construct of Kusto's syntax the translation cannot express in JavaScript. */
class RegexUnsupported extends Error {}

const WORD_UNICODE = '[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]';
const WORD_ASCII = '[0-9A-Za-z_]';

const POSIX: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`\\{-~',
  space: '\\t\\n\\x0B\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** A code point as a JavaScript pattern element that means exactly that character, in or out of a class. */
function literal(cp: number): string {
  const c = String.fromCodePoint(cp);
  return /^[0-9A-Za-z]$/.test(c) ? c : `\\u{${cp.toString(16)}}`;
}

/** The JavaScript form of a Unicode property name as Kusto writes it (\p{Greek}, \pL, \p{Letter}). */
function property(name: string, negated: boolean): string {
  const p = negated ? 'P' : 'p';
  const aliases: Record<string, string> = { ascii: 'ASCII', any: 'Any', assigned: 'Assigned' };
  const candidates = [name, aliases[name.toLowerCase()] ?? '', `Script=${name}`, `Script=${name[0]?.toUpperCase() ?? ''}${name.slice(1).toLowerCase()}`];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      new RegExp(`\\${p}{${candidate}}`, 'v');
      return `\\${p}{${candidate}}`;
    } catch {
      // try the next spelling
    }
  }
  throw new RegexSyntaxError(`unknown Unicode class \\p{${name}}`);
}

interface Translation {
  source: string;
  /** Group names by group number (index 0 unused); undefined for an unnamed group. */
  names: (string | undefined)[];
  /** The case-insensitive flag when it holds for the whole pattern. */
  ignoreCase: boolean;
}

/**
 * Translates a Kusto pattern. `emulateCase`: the `i` flag changes inside the pattern, so letters
 * under it become both cases explicitly (JavaScript 20 cannot scope flags).
 */
function translate(pattern: string, initial: Flags, emulateCase: boolean): Translation & { usedCase: Set<boolean> } {
  let at = 0;
  const names: (string | undefined)[] = [undefined];
  const usedCase = new Set<boolean>();
  const cps = Array.from(pattern, (c) => c.codePointAt(0)!);
  const peek = (offset = 0) => (at + offset < cps.length ? String.fromCodePoint(cps[at + offset]!) : '');
  const next = () => {
    if (at >= cps.length) throw new RegexSyntaxError('unexpected end of pattern');
    return String.fromCodePoint(cps[at++]!);
  };

  const word = (flags: Flags) => (flags.u ? WORD_UNICODE : WORD_ASCII);
  const caseVariants = (cp: number, flags: Flags): string => {
    if (!flags.i || !emulateCase) return literal(cp);
    const c = String.fromCodePoint(cp);
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    if (lower === upper) return literal(cp);
    if (cp > 127) throw new RegexUnsupported('case-insensitive matching of a non-ASCII letter in part of a pattern');
    return `[${literal(lower.codePointAt(0)!)}${literal(upper.codePointAt(0)!)}]`;
  };

  const skipVerbose = (flags: Flags) => {
    if (!flags.x) return;
    for (;;) {
      const c = peek();
      if (c === '#') {
        while (at < cps.length && peek() !== '\n') at++;
      } else if (c !== '' && /\s/.test(c)) at++;
      else return;
    }
  };

  const hexDigits = (count: number): number => {
    let text = '';
    for (let i = 0; i < count; i++) text += next();
    if (!/^[0-9a-fA-F]+$/.test(text)) throw new RegexSyntaxError(`bad hex escape ${text}`);
    return parseInt(text, 16);
  };
  const bracedHex = (): number => {
    next(); // {
    let text = '';
    while (peek() !== '}') text += next();
    next();
    if (!/^[0-9a-fA-F]{1,8}$/.test(text)) throw new RegexSyntaxError(`bad hex escape {${text}}`);
    const cp = parseInt(text, 16);
    if (cp > 0x10ffff) throw new RegexSyntaxError(`code point ${text} is out of range`);
    return cp;
  };

  /** An escape after the backslash: a code point, or a class (pattern text), or an assertion. */
  type Escape = { kind: 'char'; cp: number } | { kind: 'class'; text: string } | { kind: 'assert'; text: string };
  const escape = (flags: Flags, inClass: boolean): Escape => {
    const c = next();
    switch (c) {
      case 'a':
        return { kind: 'char', cp: 7 };
      case 'f':
        return { kind: 'char', cp: 12 };
      case 't':
        return { kind: 'char', cp: 9 };
      case 'n':
        return { kind: 'char', cp: 10 };
      case 'r':
        return { kind: 'char', cp: 13 };
      case 'v':
        return { kind: 'char', cp: 11 };
      case 'x':
        return { kind: 'char', cp: peek() === '{' ? bracedHex() : hexDigits(2) };
      case 'u':
        return { kind: 'char', cp: peek() === '{' ? bracedHex() : hexDigits(4) };
      case 'U':
        return { kind: 'char', cp: peek() === '{' ? bracedHex() : hexDigits(8) };
      case 'd':
        return { kind: 'class', text: flags.u ? '\\p{Nd}' : '[0-9]' };
      case 'D':
        return { kind: 'class', text: flags.u ? '\\P{Nd}' : '[^0-9]' };
      case 's':
        return { kind: 'class', text: flags.u ? '\\p{White_Space}' : '[\\t\\n\\x0B\\f\\r ]' };
      case 'S':
        return { kind: 'class', text: flags.u ? '\\P{White_Space}' : '[^\\t\\n\\x0B\\f\\r ]' };
      case 'w':
        return { kind: 'class', text: word(flags) };
      case 'W':
        return { kind: 'class', text: `[^${word(flags).slice(1, -1)}]` };
      case 'p':
      case 'P': {
        let name: string;
        if (peek() === '{') {
          next();
          name = '';
          while (peek() !== '}') name += next();
          next();
        } else name = next();
        const equals = name.indexOf('=');
        if (equals !== -1) name = `${name.slice(0, equals).trim() === 'gc' ? 'General_Category' : name.slice(0, equals).trim() === 'sc' ? 'Script' : name.slice(0, equals).trim()}=${name.slice(equals + 1).trim()}`;
        return { kind: 'class', text: property(name.trim(), c === 'P') };
      }
      default:
        break;
    }
    if (/[0-7]/.test(c)) {
      // regex.md: \123 is an octal character code, up to three digits (there are no backreferences).
      let digits = c;
      while (digits.length < 3 && /[0-7]/.test(peek())) digits += next();
      return { kind: 'char', cp: parseInt(digits, 8) };
    }
    if (!inClass) {
      const w = word(flags);
      if (c === 'A') return { kind: 'assert', text: '(?<![\\s\\S])' };
      if (c === 'z') return { kind: 'assert', text: '(?![\\s\\S])' };
      if (c === '<') return { kind: 'assert', text: `(?<!${w})(?=${w})` };
      if (c === '>') return { kind: 'assert', text: `(?<=${w})(?!${w})` };
      if (c === 'B') return { kind: 'assert', text: `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))` };
      if (c === 'b') {
        if (peek() === '{') {
          next();
          let kind = '';
          while (peek() !== '}') kind += next();
          next();
          const forms: Record<string, string> = {
            start: `(?<!${w})(?=${w})`,
            end: `(?<=${w})(?!${w})`,
            'start-half': `(?<!${w})`,
            'end-half': `(?!${w})`,
          };
          const form = forms[kind];
          if (!form) throw new RegexSyntaxError(`unknown boundary \\b{${kind}}`);
          return { kind: 'assert', text: form };
        }
        return { kind: 'assert', text: `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))` };
      }
    }
    const cp = c.codePointAt(0)!;
    // regex.md: a backslash makes any ASCII character but [0-9A-Za-z<>] literal.
    if (cp < 128 && !/[0-9A-Za-z<>]/.test(c)) return { kind: 'char', cp };
    throw new RegexSyntaxError(`unknown escape \\${c}`);
  };

  // ---- character classes: parsed to an operand, written as a v-mode class

  /** One operand of a class expression, as v-mode class text ("[...]" or a single element). */
  const classOperand = (flags: Flags): string => {
    // A union of items up to an operator or the closing bracket.
    const items: string[] = [];
    let first = true;
    for (;;) {
      skipVerbose(flags);
      const c = peek();
      if (c === '') throw new RegexSyntaxError('unclosed character class');
      if (c === ']' && !first) break;
      if ((c === '&' && peek(1) === '&') || (c === '-' && peek(1) === '-') || (c === '~' && peek(1) === '~')) break;
      first = false;
      if (c === '[') {
        if (peek(1) === ':') {
          const match = /^\[:(\^?)([a-z]+):\]/.exec(String.fromCodePoint(...cps.slice(at, at + 16)));
          if (match) {
            const members = POSIX[match[2]!];
            if (!members) throw new RegexSyntaxError(`unknown class [:${match[2]}:]`);
            at += match[0].length;
            usedCase.add(flags.i);
            if (flags.i && emulateCase) throw new RegexUnsupported('a POSIX class under case-insensitive matching in part of a pattern');
            items.push(`[${match[1] ? '^' : ''}${members}]`);
            continue;
          }
        }
        next();
        items.push(classBody(flags));
        continue;
      }
      const start = classAtom(flags);
      if (start.kind === 'class') {
        usedCase.add(flags.i);
        items.push(start.text);
        continue;
      }
      skipVerbose(flags);
      if (peek() === '-' && peek(1) !== ']' && peek(1) !== '-' && peek(1) !== '') {
        next();
        skipVerbose(flags);
        const end = classAtom(flags);
        if (end.kind !== 'char') throw new RegexSyntaxError('a range must end in a character');
        if (end.cp < start.cp) throw new RegexSyntaxError('invalid range');
        items.push(classRange(start.cp, end.cp, flags));
        continue;
      }
      items.push(classChar(start.cp, flags));
    }
    return items.length === 1 ? items[0]! : `[${items.join('')}]`;
  };
  const classChar = (cp: number, flags: Flags): string => {
    if (flags.i) usedCase.add(true);
    else usedCase.add(false);
    if (!flags.i || !emulateCase) return literal(cp);
    const variants = caseVariants(cp, flags);
    return variants.startsWith('[') ? variants.slice(1, -1) : variants;
  };
  const classRange = (from: number, to: number, flags: Flags): string => {
    usedCase.add(flags.i);
    const base = `${literal(from)}-${literal(to)}`;
    if (!flags.i || !emulateCase) return base;
    if (to > 127) throw new RegexUnsupported('case-insensitive matching of a non-ASCII range in part of a pattern');
    let extra = '';
    const lo = Math.max(from, 65);
    const hi = Math.min(to, 90);
    if (lo <= hi) extra += `${literal(lo + 32)}-${literal(hi + 32)}`;
    const lo2 = Math.max(from, 97);
    const hi2 = Math.min(to, 122);
    if (lo2 <= hi2) extra += `${literal(lo2 - 32)}-${literal(hi2 - 32)}`;
    return base + extra;
  };
  const classAtom = (flags: Flags): { kind: 'char'; cp: number } | { kind: 'class'; text: string } => {
    const c = next();
    if (c === '\\') {
      const e = escape(flags, true);
      if (e.kind === 'assert') throw new RegexSyntaxError('an assertion cannot stand in a class');
      if (e.kind === 'class' && flags.i && emulateCase) throw new RegexUnsupported('a Unicode class under case-insensitive matching in part of a pattern');
      return e;
    }
    return { kind: 'char', cp: c.codePointAt(0)! };
  };
  /** After the opening bracket: [^]? operand (op operand)* ] */
  const classBody = (flags: Flags): string => {
    let negated = false;
    if (peek() === '^') {
      next();
      negated = true;
    }
    let result = classOperand(flags);
    for (;;) {
      skipVerbose(flags);
      const c = peek();
      if (c === ']') {
        next();
        break;
      }
      const op = c + peek(1);
      if (op !== '&&' && op !== '--' && op !== '~~') throw new RegexSyntaxError('bad character class');
      at += 2;
      const right = classOperand(flags);
      const l = result.startsWith('[') ? result : `[${result}]`;
      const r = right.startsWith('[') ? right : `[${right}]`;
      result = op === '&&' ? `[${l}&&${r}]` : op === '--' ? `[${l}--${r}]` : `[[${l}--${r}][${r}--${l}]]`;
    }
    if (negated) return `[^${result.startsWith('[') ? result : `[${result}]`}]`;
    return result.startsWith('[') ? result : `[${result}]`;
  };

  // ---- the pattern

  const quantifier = (flags: Flags): string | undefined => {
    skipVerbose(flags);
    const c = peek();
    let q: string;
    if (c === '*' || c === '+' || c === '?') {
      next();
      q = c;
    } else if (c === '{') {
      const rest = Array.from(pattern).slice(at).join('');
      const match = /^\{(\d+)(,(\d*))?\}/.exec(rest);
      if (!match) return undefined;
      at += Array.from(match[0]).length;
      if (match[3] && Number(match[3]) < Number(match[1])) throw new RegexSyntaxError('invalid repetition range');
      q = match[0];
    } else return undefined;
    let lazy = false;
    if (peek() === '?') {
      next();
      lazy = true;
    }
    if (flags.U) lazy = !lazy;
    return lazy ? `${q}?` : q;
  };

  const parseFlags = (text: string, flags: Flags): Flags => {
    const out = { ...flags };
    let on = true;
    for (const c of text) {
      if (c === '-') {
        on = false;
        continue;
      }
      if (!'imsUxuR'.includes(c)) throw new RegexSyntaxError(`unknown flag ${c}`);
      out[c as keyof Flags] = on;
    }
    return out;
  };

  /** A sequence of alternatives up to `)` or the end. */
  const alternation = (outer: Flags, depth: number): string => {
    let flags = outer;
    const branches: string[] = [];
    let current = '';
    for (;;) {
      skipVerbose(flags);
      const c = peek();
      if (c === '' || c === ')') break;
      if (c === '|') {
        next();
        branches.push(current);
        current = '';
        continue;
      }
      let atom: string;
      let quantifiable = true;
      if (c === '(') {
        next();
        if (peek() === '?') {
          next();
          const kind = peek();
          if (kind === '=' || kind === '!' || (kind === '<' && (peek(1) === '=' || peek(1) === '!'))) throw new RegexSyntaxError('lookaround is not supported');
          if (kind === 'P' || kind === '<') {
            if (kind === 'P') next();
            if (next() !== '<') throw new RegexSyntaxError('bad group name');
            let name = '';
            while (peek() !== '>') name += next();
            next();
            if (!/^[\p{Alphabetic}_][\p{Alphabetic}\p{Nd}\p{Nl}\p{No}_.[\]]*$/u.test(name)) throw new RegexSyntaxError(`bad group name ${name}`);
            names.push(name);
            atom = `(${alternation(flags, depth + 1)})`;
          } else {
            let text = '';
            while (peek() !== ':' && peek() !== ')') text += next();
            const scoped = parseFlags(text, flags);
            if (next() === ')') {
              // (?flags): from here to the end of the current group.
              flags = scoped;
              continue;
            }
            atom = `(?:${alternation(scoped, depth + 1)})`;
          }
        } else {
          names.push(undefined);
          atom = `(${alternation(flags, depth + 1)})`;
        }
        if (next() !== ')') throw new RegexSyntaxError('unbalanced parenthesis');
      } else if (c === '[') {
        next();
        usedCase.add(flags.i);
        atom = classBody(flags);
      } else if (c === '.') {
        next();
        atom = flags.s ? '[\\s\\S]' : flags.R ? '[^\\r\\n]' : '[^\\n]';
      } else if (c === '^') {
        next();
        atom = flags.m ? (flags.R ? '(?:^|(?<=\\n)|(?<=\\r)(?!\\n))' : '(?:^|(?<=\\n))') : '^';
        quantifiable = false;
      } else if (c === '$') {
        next();
        atom = flags.m ? (flags.R ? '(?:$|(?=\\r)|(?<!\\r)(?=\\n))' : '(?:$|(?=\\n))') : '$';
        quantifiable = false;
      } else if (c === '\\') {
        next();
        const e = escape(flags, false);
        if (e.kind === 'assert') {
          atom = e.text;
          quantifiable = false;
        } else if (e.kind === 'class') {
          usedCase.add(flags.i);
          if (flags.i && emulateCase) throw new RegexUnsupported('a Unicode class under case-insensitive matching in part of a pattern');
          atom = e.text;
        } else {
          usedCase.add(flags.i);
          atom = caseVariants(e.cp, flags);
        }
      } else if (c === '*' || c === '+' || c === '?') {
        throw new RegexSyntaxError(`nothing to repeat before ${c}`);
      } else {
        next();
        const cp = c.codePointAt(0)!;
        if (c.toLowerCase() !== c.toUpperCase()) usedCase.add(flags.i);
        atom = caseVariants(cp, flags);
      }
      const q = quantifier(flags);
      if (q !== undefined) {
        if (!quantifiable) throw new RegexSyntaxError('an assertion cannot be repeated');
        atom = `(?:${atom})${q}`;
        if (quantifier(flags) !== undefined) throw new RegexSyntaxError('repetition of a repetition');
      }
      current += atom;
    }
    branches.push(current);
    if (depth === 0 && peek() === ')') throw new RegexSyntaxError('unbalanced parenthesis');
    return branches.join('|');
  };

  const source = alternation(initial, 0);
  return { source, names, ignoreCase: initial.i && !emulateCase, usedCase };
}

export interface CompiledKustoRegex {
  regex: RegExp;
  /** Capture group names by number (index 0 unused); undefined for unnamed groups. */
  names: (string | undefined)[];
}

const compiled = new Map<string, CompiledKustoRegex>();

/**
 * Compiles a Kusto pattern; `kustoFlags` are Kusto's (i, m, s, U, x: parse's flags=),
 * `jsFlags` JavaScript's g or d for callers that iterate or need indices.
 */
export function kustoRegexWithNames(pattern: string, kustoFlags = '', jsFlags = ''): CompiledKustoRegex {
  const key = `${kustoFlags}/${jsFlags}/${pattern}`;
  let entry = compiled.get(key);
  if (!entry) {
    const flags: Flags = { i: false, m: false, s: false, U: false, x: false, u: true, R: false };
    for (const f of kustoFlags) {
      if (!'imsUxR'.includes(f)) throw new EvaluationError(`the regex flag '${f}' is not one Kusto knows (i, m, s, U, x, R)`, { code: 'invalid' });
      flags[f as keyof Flags] = true;
    }
    try {
      let t = translate(pattern, flags, false);
      const mixed = t.usedCase.has(true) && t.usedCase.has(false);
      const uniformCase = t.usedCase.has(true) && !t.usedCase.has(false);
      if (mixed) t = translate(pattern, flags, true);
      entry = { regex: new RegExp(t.source, `v${uniformCase ? 'i' : ''}${jsFlags}`), names: t.names };
    } catch (error) {
      if (error instanceof RegexUnsupported) throw new EvaluationError(`the regular expression ${JSON.stringify(pattern)} uses ${error.message}, which the offline evaluator does not support`, { code: 'unsupported' });
      throw new EvaluationError(`the regular expression ${JSON.stringify(pattern)} is not valid: ${(error as Error).message}`, { code: 'invalid' });
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(key, entry);
  }
  // A global pattern carries lastIndex between uses: every caller starts from the beginning.
  entry.regex.lastIndex = 0;
  return entry;
}

export function kustoRegex(pattern: string, kustoFlags = '', jsFlags = ''): RegExp {
  return kustoRegexWithNames(pattern, kustoFlags, jsFlags).regex;
}

/** Text that a Kusto regular expression matches literally. */
export function escapeRegExp(text: string): string {
  return Array.from(text, (c) => (/[0-9A-Za-z_ ]/.test(c) || c.codePointAt(0)! > 127 ? c : `\\${c === '<' || c === '>' ? `x${c.charCodeAt(0).toString(16)}` : c}`)).join('');
}
