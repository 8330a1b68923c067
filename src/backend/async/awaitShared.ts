/**
 * Waits for work shared by several callers (a cached DescribeTable, one
 * download of a history object, one model training). The shared work never
 * runs on one caller's signal, or one cancelled dashboard panel would fail
 * every other; instead each caller stops waiting when its own signal aborts,
 * with the error `cancelled()` makes.
 */
export function awaitShared<T>(
  shared: Promise<T>,
  signal: AbortSignal | undefined,
  cancelled: () => Error
): Promise<T> {
  if (!signal) {
    return shared;
  }
  if (signal.aborted) {
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener('abort', onAbort, { once: true });
    shared.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      }
    );
  });
}
