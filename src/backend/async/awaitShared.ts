import { SourceError } from './errors';

/**
 * Waits for work shared by several callers (a cached DescribeTable, one
 * download of a history object). The shared work never runs on one caller's
 * signal, or one cancelled dashboard panel would fail every other; instead
 * each caller stops waiting when its own signal aborts.
 */
export function awaitShared<T>(shared: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) {
    return shared;
  }
  const cancelled = () => new SourceError('aborted', `${what} was cancelled`);
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
