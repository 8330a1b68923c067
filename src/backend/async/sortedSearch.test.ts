import { lowerBound, upperBound } from './sortedSearch';

describe('searching an ascending series of times', () => {
  const time = Float64Array.of(10, 20, 20, 20, 30);

  it('finds the first time at or after t (lowerBound) and the first time after t (upperBound)', () => {
    expect(lowerBound(time, 20)).toBe(1);
    expect(upperBound(time, 20)).toBe(4);
    expect(lowerBound(time, 25)).toBe(4);
    expect(upperBound(time, 25)).toBe(4);
  });

  it('answers 0 before the first time and the length after the last', () => {
    expect(lowerBound(time, 5)).toBe(0);
    expect(upperBound(time, 5)).toBe(0);
    expect(lowerBound(time, 35)).toBe(5);
    expect(upperBound(time, 30)).toBe(5);
    expect(lowerBound(new Float64Array(0), 1)).toBe(0);
  });

  it('searches only [from, to) when given', () => {
    expect(lowerBound(time, 10, 2)).toBe(2);
    expect(upperBound(time, 30, 0, 3)).toBe(3);
    expect(lowerBound(time, 20, 2, 4)).toBe(2);
  });
});
