/**
 * Runs `work` while sampling the process's resident memory every few milliseconds, and returns
 * how far above the starting level it peaked (in bytes) with the work's outcome.
 */
export async function measureRssGrowth<T>(
  work: () => Promise<T>,
): Promise<{ growth: number; result: PromiseSettledResult<T> }> {
  globalThis.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 2);
  const [result] = await Promise.allSettled([work()]);
  clearInterval(timer);
  peak = Math.max(peak, process.memoryUsage.rss());
  return { growth: peak - before, result };
}
