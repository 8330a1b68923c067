/**
 * Maps `items` through `task` with at most `limit` tasks in flight, results in
 * input order. After a task rejects no further task starts, and the promise
 * rejects with that first error (tasks already running finish on their own;
 * callers that must stop them pass them an AbortSignal). Used by the backend's
 * QueryData fan-out and by the readers' per-sensor and per-segment reads.
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}
