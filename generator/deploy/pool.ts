/**
 * Runs tasks with at most `limit` at a time. Once `signal` is aborted no task starts; those not
 * started are reported through `onSkipped`.
 */
export async function runPool<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>,
  options: { signal?: AbortSignal; onSkipped?: (item: T) => void } = {},
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++]!;
      if (options.signal?.aborted) {
        options.onSkipped?.(item);
        continue;
      }
      results.push(await task(item));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}
