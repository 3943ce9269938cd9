import { isAbsolute, relative } from 'node:path';

/** A path as the user would type it from `cwd`: relative inside it, absolute outside. */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}
