import { filterMatcher, toVariableQuery } from './variables';

describe('filterMatcher', () => {
  it('matches whole values, ignoring case, with * as the only wildcard', () => {
    const matches = filterMatcher('lab2_*');
    expect(['LAB2_a', 'lab2_', 'lab20_a', 'x_lab2_a'].filter(matches)).toEqual(['LAB2_a', 'lab2_']);
  });

  it('treats every other character literally, so a pattern can never be a costly regular expression', () => {
    expect(filterMatcher('a.b')('axb')).toBe(false);
    expect(filterMatcher('a.b')('a.b')).toBe(true);
    expect(filterMatcher('(a+)+$')('(a+)+$')).toBe(true);
  });

  it('matches everything without a filter', () => {
    expect(filterMatcher(undefined)('anything')).toBe(true);
  });
});

describe('toVariableQuery', () => {
  it('reads every saved shape, defaulting to sensors', () => {
    expect(toVariableQuery('Metrics ')).toEqual({ refId: 'variable', kind: 'metrics', filter: undefined });
    expect(toVariableQuery({ refId: 'A', query: 'sensors' })).toEqual({
      refId: 'A',
      kind: 'sensors',
      filter: undefined,
    });
    expect(toVariableQuery({ refId: 'A', kind: 'sensors', filter: ' lab* ' })).toEqual({
      refId: 'A',
      kind: 'sensors',
      filter: 'lab*',
    });
    expect(toVariableQuery(undefined)).toEqual({ refId: 'variable', kind: 'sensors', filter: undefined });
  });

  it('names the field and the choices for an unknown kind', () => {
    expect(() => toVariableQuery({ kind: 7 })).toThrow('variable query kind: must be "sensors" or "metrics" (got 7)');
  });
});
