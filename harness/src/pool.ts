/** A bounded worker pool: at most `concurrency` tasks in flight, stops early when `shouldStop()` says so. */
export async function runPool<T>(
  items: Iterable<T>,
  concurrency: number,
  task: (item: T) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<void> {
  const it = items[Symbol.iterator]();
  const worker = async () => {
    for (;;) {
      if (shouldStop()) return;
      const next = it.next();
      if (next.done) return;
      await task(next.value);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
