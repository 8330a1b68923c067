import { countsText } from './frames';

describe('a tally in a notice', () => {
  it('lists the non-zero counts, each followed by what it counts, in the tally’s order', () => {
    expect(countsText({ bad_time: 3, no_readings: 0, not_a_number: 1 })).toBe('3 bad_time, 1 not_a_number');
  });

  it('names each count as told', () => {
    expect(countsText({ humidity: 2, pressure: 5 }, (metric) => `without ${metric}`)).toBe(
      '2 without humidity, 5 without pressure'
    );
  });

  it('is empty when nothing was counted', () => {
    expect(countsText({})).toBe('');
    expect(countsText({ warm_up: 0 })).toBe('');
  });
});
