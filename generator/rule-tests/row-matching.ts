/**
 * Which expected rows get no result row of their own: a maximum bipartite matching (Kuhn's),
 * so one result row never answers for two expected rows and the order of rows does not matter.
 * `fits(e, a)` says whether result row `a` could stand for expected row `e`.
 */
export function unmatchedExpected(expectedCount: number, actualCount: number, fits: (e: number, a: number) => boolean): number[] {
  const table = Array.from({ length: expectedCount }, (_, e) => Array.from({ length: actualCount }, (_, a) => fits(e, a)));
  const owner = new Array<number>(actualCount).fill(-1);
  const assign = (e: number, seen: boolean[]): boolean => {
    for (let a = 0; a < actualCount; a++) {
      if (!table[e]![a] || seen[a]) continue;
      seen[a] = true;
      if (owner[a] === -1 || assign(owner[a]!, seen)) {
        owner[a] = e;
        return true;
      }
    }
    return false;
  };
  const unmatched: number[] = [];
  for (let e = 0; e < expectedCount; e++) {
    if (!assign(e, new Array<boolean>(actualCount).fill(false))) unmatched.push(e);
  }
  return unmatched;
}
