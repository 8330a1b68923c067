import { awaitShared } from './concurrency';
import { SourceError } from './errors';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('awaitShared', () => {
  it('lets one caller give up without failing the others waiting on the same work', async () => {
    const work = deferred<string>();
    const impatient = new AbortController();
    const first = awaitShared(work.promise, impatient.signal, 'DescribeTable of "readings"');
    const second = awaitShared(work.promise, new AbortController().signal, 'DescribeTable of "readings"');

    impatient.abort();
    await expect(first).rejects.toEqual(new SourceError('aborted', 'DescribeTable of "readings" was cancelled'));
    work.resolve('plan');
    await expect(second).resolves.toBe('plan');
  });

  it('refuses at once when the caller has already given up', async () => {
    const gone = new AbortController();
    gone.abort();
    await expect(awaitShared(new Promise(() => undefined), gone.signal, 'listing sensors')).rejects.toMatchObject({
      code: 'aborted',
    });
  });

  it('passes the shared failure on to every caller', async () => {
    const failure = new SourceError('table_not_found', 'no table');
    const shared = Promise.reject(failure);
    await expect(awaitShared(shared, new AbortController().signal, 'x')).rejects.toBe(failure);
    await expect(awaitShared(shared, undefined, 'x')).rejects.toBe(failure);
  });
});
