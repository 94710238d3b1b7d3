/**
 * Runs `task` on every item, at most `limit` at a time (each worker takes the next item when its task ends), and
 * settles when all have; the first failure rejects (the tasks already started still run to their end).
 */
export async function forEachInParallel<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
