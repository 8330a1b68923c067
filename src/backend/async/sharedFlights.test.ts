import { SharedFlights } from './sharedFlights';

const cancelled = () => new Error('download was cancelled');

/** Work that runs until `finish` is called, recording the signal it was given. */
function pendingWork() {
  const started: AbortSignal[] = [];
  let finish!: (value: string) => void;
  const start = (signal: AbortSignal) => {
    started.push(signal);
    return new Promise<string>((resolve) => (finish = resolve));
  };
  return { start, started, finish: (value: string) => finish(value) };
}

describe('SharedFlights', () => {
  it('runs the work once for every caller of a key while it is under way', async () => {
    const flights = new SharedFlights<string>();
    const work = pendingWork();
    const a = flights.join('k', work.start, undefined, cancelled);
    const b = flights.join('k', work.start, undefined, cancelled);
    await Promise.resolve();
    work.finish('model');
    await expect(Promise.all([a, b])).resolves.toEqual(['model', 'model']);
    expect(work.started).toHaveLength(1);
    expect(flights.size).toBe(0);
  });

  it('lets one caller stop waiting without cancelling the work for the others', async () => {
    const flights = new SharedFlights<string>();
    const work = pendingWork();
    const leaving = new AbortController();
    const a = flights.join('k', work.start, leaving.signal, cancelled);
    const b = flights.join('k', work.start, undefined, cancelled);
    await Promise.resolve();
    leaving.abort();
    await expect(a).rejects.toThrow('download was cancelled');
    expect(work.started[0]!.aborted).toBe(false);
    work.finish('model');
    await expect(b).resolves.toBe('model');
  });

  it('aborts the work when the last caller stops waiting, and the next caller starts afresh', async () => {
    const flights = new SharedFlights<string>();
    const work = pendingWork();
    const leaving = new AbortController();
    const a = flights.join('k', work.start, leaving.signal, cancelled);
    await Promise.resolve();
    leaving.abort();
    await expect(a).rejects.toThrow('download was cancelled');
    expect(work.started[0]!.aborted).toBe(true);
    expect(flights.size).toBe(0);

    const again = flights.join('k', work.start, undefined, cancelled);
    await Promise.resolve();
    work.finish('fresh');
    await expect(again).resolves.toBe('fresh');
    expect(work.started).toHaveLength(2);
  });

  it('gives every waiter the failure, and keeps nothing of it for the next caller', async () => {
    const flights = new SharedFlights<string>();
    let attempts = 0;
    const failOnce = async () => {
      attempts++;
      if (attempts === 1) {
        throw new Error('S3 said no');
      }
      return 'ok';
    };
    await expect(
      Promise.all([
        flights.join('k', failOnce, undefined, cancelled),
        flights.join('k', failOnce, undefined, cancelled),
      ])
    ).rejects.toThrow('S3 said no');
    await expect(flights.join('k', failOnce, undefined, cancelled)).resolves.toBe('ok');
    expect(attempts).toBe(2);
  });

  it('refuses at once a caller whose signal is already aborted, without starting anything', async () => {
    const flights = new SharedFlights<string>();
    const work = pendingWork();
    await expect(flights.join('k', work.start, AbortSignal.abort(), cancelled)).rejects.toThrow('cancelled');
    await Promise.resolve();
    expect(work.started).toHaveLength(0);
  });
});
