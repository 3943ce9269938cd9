import { EvaluationError } from './evaluation-error.js';

/**
 * Kusto's regular expressions are RE2; JavaScript reads the same syntax for everything rules use,
 * except RE2's named group `(?P<name>...)`, which is rewritten to `(?<name>...)`. Compiled
 * patterns are kept: a query applies the same few patterns to every row.
 */
const compiled = new Map<string, RegExp>();

export function kustoRegex(pattern: string, flags = ''): RegExp {
  const key = `${flags}/${pattern}`;
  let re = compiled.get(key);
  if (!re) {
    try {
      re = new RegExp(pattern.replace(/\(\?P</g, '(?<'), flags);
    } catch (error) {
      throw new EvaluationError(`the regular expression ${JSON.stringify(pattern)} is not valid: ${(error as Error).message}`, { code: 'invalid' });
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(key, re);
  }
  // A global pattern carries lastIndex between uses: every caller starts from the beginning.
  re.lastIndex = 0;
  return re;
}

/** Text that a regular expression matches literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
