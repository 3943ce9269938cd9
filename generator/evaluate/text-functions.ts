import { createHash } from 'node:crypto';
import { kustoRegex } from './kusto-regex.js';
import { fn, type ScalarFunction } from './scalar-function.js';
import { toKustoString, type KValue } from './values.js';

/** String functions as Kusto documents them; a string is never null, so "no result" is "". */
const text = (value: KValue | undefined) => toKustoString(value ?? null);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A GUID in its canonical lower-case form; null for text that is not one. */
export function canonicalGuid(candidate: string): string | null {
  const trimmed = candidate.trim();
  return GUID.test(trimmed) ? trimmed.toLowerCase() : null;
}

/** Plain matches may overlap ("aaaa" holds "aa" three times); regex matches do not. */
function countOf(source: string, search: string, kind: string): number | null {
  if (kind === 'regex') {
    let count = 0;
    const re = kustoRegex(search, 'g');
    for (let match = re.exec(source); match; match = re.exec(source)) {
      count++;
      if (match[0] === '') re.lastIndex++;
    }
    return count;
  }
  if (kind !== 'normal' || search === '') return null;
  let count = 0;
  for (let at = source.indexOf(search); at !== -1; at = source.indexOf(search, at + 1)) count++;
  return count;
}

export const TEXT_FUNCTIONS: Record<string, ScalarFunction> = {
  /** extract(regex, captureGroup, source): the group's text, "" when the text does not match. */
  extract: fn(3, 3, ([pattern, group, source]) => {
    if (typeof group !== 'number' || group < 0) return '';
    const match = kustoRegex(text(pattern)).exec(text(source));
    return match?.[group] ?? '';
  }),
  countof: fn(2, 3, ([source, search, kind]) => countOf(text(source), text(search), kind === undefined ? 'normal' : text(kind).toLowerCase())),
  /** The hex SHA-256 of the text's UTF-8 bytes. */
  hash_sha256: fn(1, 1, ([value]) => (value === null || value === undefined ? null : createHash('sha256').update(text(value), 'utf8').digest('hex'))),
  toguid: fn(1, 1, ([value]) => canonicalGuid(text(value))),
};
