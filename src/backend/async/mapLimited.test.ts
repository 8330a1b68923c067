import { mapLimited } from './mapLimited';

const tick = () => new Promise((resolve) => setTimeout(resolve, 2));

describe('mapLimited', () => {
  it('never runs more than the limit at once and keeps the input order', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapLimited([7, 6, 5, 4, 3, 2, 1], 3, async (n) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((resolve) => setTimeout(resolve, n));
      running--;
      return n * 10;
    });
    expect(peak).toBe(3);
    expect(results).toEqual([70, 60, 50, 40, 30, 20, 10]);
  });

  it('starts nothing after a failure and rejects with the first error', async () => {
    const started: number[] = [];
    const run = mapLimited([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      await tick();
      if (n === 2) {
        throw new Error('sensor 2 failed');
      }
      return n;
    });
    await expect(run).rejects.toThrow('sensor 2 failed');
    await tick();
    expect(started).toEqual([1, 2, 3]);
  });

  it('answers an empty list with an empty list', async () => {
    expect(await mapLimited([], 4, async () => 1)).toEqual([]);
  });
});
