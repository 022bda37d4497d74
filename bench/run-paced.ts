/**
 * Runs `work` on every item, at most `concurrency` at a time and starting at most `perSecond` a
 * second: a moderate, steady rate for creating many plain API objects.
 */
export async function runPaced<T>(
  items: readonly T[],
  options: { readonly concurrency: number; readonly perSecond: number },
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  const startedMs = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(options.concurrency, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        const dueMs = startedMs + (index * 1_000) / options.perSecond;
        const waitMs = dueMs - performance.now();
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        await work(items[index]!, index);
      }
    }),
  );
}
