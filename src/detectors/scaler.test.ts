import { StandardScaler } from './scaler';
import { loadFixture } from '../../tests/parity/loadFixture';

const fixture = loadFixture<{ data: number[][]; mean: number[]; scale: number[]; transformed: number[][] }>(
  'scaler.json'
);

describe('StandardScaler parity with scikit-learn', () => {
  const scaler = StandardScaler.fit(fixture.data);

  it('learns the same means and population standard deviations (constant feature: scale 1)', () => {
    fixture.mean.forEach((m, c) =>
      expect(Math.abs(scaler.mean[c] - m)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(m)))
    );
    fixture.scale.forEach((s, c) => expect(Math.abs(scaler.scale[c] - s)).toBeLessThanOrEqual(1e-12 * Math.max(1, s)));
    expect(scaler.scale[2]).toBe(1);
  });

  it('transforms to within 1e-12 of scikit-learn', () => {
    const out = scaler.transform(fixture.data);
    let worst = 0;
    fixture.transformed.forEach((row, r) =>
      row.forEach((v, c) => (worst = Math.max(worst, Math.abs(out.data[r * out.cols + c] - v))))
    );
    expect(worst).toBeLessThanOrEqual(1e-12);
  });

  it('round-trips through JSON exactly', () => {
    const copy = StandardScaler.fromJSON(JSON.parse(JSON.stringify(scaler)));
    expect(copy.transform(fixture.data).data).toEqual(scaler.transform(fixture.data).data);
  });

  it('refuses rows of the wrong width and non-finite values, in transform and transformInto alike', () => {
    expect(() => scaler.transform([[1, 2, 3]])).toThrow(expect.objectContaining({ parameter: 'data' }));
    expect(() => scaler.transformInto([1, 2, 3], new Float64Array(3))).toThrow(
      expect.objectContaining({ parameter: 'data' })
    );
    expect(() => scaler.transformInto([1, 2, Number.NaN, 4], new Float64Array(4))).toThrow(/row 0, feature 2/);
    expect(() => scaler.transformInto([1, 2, 3, 4], new Float64Array(8))).toThrow(
      expect.objectContaining({ parameter: 'dst' })
    );
    expect(() => StandardScaler.fit([[1], [Number.NaN]])).toThrow(/row 1, feature 0/);
  });
});
