import { countPerInterval } from './counts';

const MIN = 60_000;

describe('countPerInterval', () => {
  it('counts flagged readings per interval-aligned bucket, empty buckets as 0', () => {
    const time = [1 * MIN, 2 * MIN, 6 * MIN, 7 * MIN, 14 * MIN];
    const flag = [1, 1, 0, 1, 1];
    const counts = countPerInterval(time, flag, { fromMs: 1 * MIN, toMs: 14 * MIN, intervalMs: 5 * MIN });
    expect(Array.from(counts.time)).toEqual([0, 5 * MIN, 10 * MIN]);
    expect(Array.from(counts.count)).toEqual([2, 1, 1]);
  });

  it('covers the whole range even when nothing was flagged, so alerting sees zeros', () => {
    const counts = countPerInterval([], [], { fromMs: 0, toMs: 29 * MIN, intervalMs: 10 * MIN });
    expect(Array.from(counts.count)).toEqual([0, 0, 0]);
  });

  it('puts a reading exactly on a boundary in the bucket that starts there, and ignores readings outside the range', () => {
    const counts = countPerInterval([9 * MIN, 10 * MIN, 21 * MIN], [1, 1, 1], {
      fromMs: 9 * MIN,
      toMs: 20 * MIN,
      intervalMs: 10 * MIN,
    });
    expect(Array.from(counts.time)).toEqual([0, 10 * MIN, 20 * MIN]);
    expect(Array.from(counts.count)).toEqual([1, 1, 0]);
  });

  it('has no buckets for an empty range and refuses a non-positive interval', () => {
    expect(countPerInterval([], [], { fromMs: 10, toMs: 5, intervalMs: 1000 }).time.length).toBe(0);
    expect(() => countPerInterval([], [], { fromMs: 0, toMs: 1, intervalMs: 0 })).toThrow(/intervalMs/);
    expect(() => countPerInterval([1], [], { fromMs: 0, toMs: 1, intervalMs: 1 })).toThrow(/1 times but 0 flags/);
  });
});
