import { awaitShared } from './awaitShared';

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const cancelled = (what: string) => () => new Error(`${what} was cancelled`);

describe('awaitShared', () => {
  it('lets one caller give up without failing the others waiting on the same work', async () => {
    const work = deferred<string>();
    const impatient = new AbortController();
    const first = awaitShared(work.promise, impatient.signal, cancelled('DescribeTable'));
    const second = awaitShared(work.promise, new AbortController().signal, cancelled('DescribeTable'));

    impatient.abort();
    await expect(first).rejects.toThrow('DescribeTable was cancelled');
    work.resolve('plan');
    await expect(second).resolves.toBe('plan');
  });

  it('refuses at once when the caller has already given up', async () => {
    const gone = new AbortController();
    gone.abort();
    await expect(awaitShared(new Promise(() => undefined), gone.signal, cancelled('listing sensors'))).rejects.toThrow(
      'listing sensors was cancelled'
    );
  });

  it('passes the shared failure on to every caller', async () => {
    const failure = new Error('no table');
    const shared = Promise.reject(failure);
    await expect(awaitShared(shared, new AbortController().signal, cancelled('x'))).rejects.toBe(failure);
    await expect(awaitShared(shared, undefined, cancelled('x'))).rejects.toBe(failure);
  });
});
