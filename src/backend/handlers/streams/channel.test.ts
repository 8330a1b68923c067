import { createHash } from 'node:crypto';

import { resolveQuery } from '../../../common/query';
import { channelAddress, channelPath, CHANNEL_MAX_LENGTH, CHANNEL_PATH, decodeChannelPath } from './channel';

const UID = 'P8A5F2C1D0E9B7A6C5D4E3F2A1B0C9D8E7F6A5B4'; // 40 characters, the longest uid Grafana allows
const TYPICAL_UID = 'PBFA97CFB590B2093'; // what Grafana generates

describe('A live channel path', () => {
  it('round-trips the sensor and the live fields of a typical query, decodable by any process', () => {
    const query = resolveQuery({
      sensors: ['sensmitter_1'],
      live: true,
      metric: 'humidity',
      contamination: 0.05,
      liveSource: 'kafka',
    });
    const path = channelPath(TYPICAL_UID, { sensor: 'sensmitter_1', query });
    expect(path).toMatch(/^v1\//);
    expect(path).toMatch(CHANNEL_PATH);
    expect(`ds/${TYPICAL_UID}/${path}`.length).toBeLessThanOrEqual(CHANNEL_MAX_LENGTH);
    const decoded = decodeChannelPath(path);
    expect(decoded?.sensor).toBe('sensmitter_1');
    expect(decoded?.query).toEqual(query);
  });

  it('round-trips every live field of a heavily customised query through its hash', () => {
    const query = resolveQuery({
      sensors: ['sensmitter_1'],
      live: true,
      metric: 'humidity',
      metrics: ['humidity', 'temperature'],
      featureSet: 'custom',
      transforms: ['deviation', 'value'],
      contamination: 0.05,
      isolationForest: { nEstimators: 250, seed: 7 },
      liveSource: 'kafka',
      liveReplayMinutes: 30,
    });
    const path = channelPath(UID, { sensor: 'sensmitter_1', query });
    expect(path).toMatch(CHANNEL_PATH);
    expect(`ds/${UID}/${path}`.length).toBeLessThanOrEqual(CHANNEL_MAX_LENGTH);
    expect(decodeChannelPath(path)?.query).toEqual(query);
    // Another process (no registry entry) resolves it from the query sent as subscription data.
    const raw = { sensor: 'sensmitter_1', query };
    expect(decodeChannelPath(path, raw)?.query).toEqual(query);
  });

  it('for a 128-character sensor id is a hash that this process resolves, or that the query sent along resolves', () => {
    // Hex does not compress: the encoded path would be far over the limit.
    const sensor = `lab:${createHash('sha512').update('x').digest('hex')}`.slice(0, 128);
    const query = resolveQuery({ sensors: [sensor], live: true, contamination: 0.03 });
    const address = channelAddress(UID, { sensor, query });
    expect(address.length).toBeLessThanOrEqual(CHANNEL_MAX_LENGTH);
    const path = address.slice(`ds/${UID}/`.length);
    expect(path).toMatch(/^h1\/[A-Za-z0-9_-]{22}$/);
    expect(decodeChannelPath(path)?.query).toEqual(query);
  });

  it('with the same sensor and query is the same for every viewer; another sensor or query is another channel', () => {
    const a = resolveQuery({ sensors: ['s1'], live: true, contamination: 0.02 });
    const b = resolveQuery({ sensors: ['s1', 's2'], live: true, contamination: 0.02, queryType: 'anomaly_count' });
    expect(channelPath(UID, { sensor: 's1', query: a })).toBe(channelPath(UID, { sensor: 's1', query: b }));
    expect(channelPath(UID, { sensor: 's2', query: a })).not.toBe(channelPath(UID, { sensor: 's1', query: a }));
    const c = resolveQuery({ sensors: ['s1'], live: true, contamination: 0.03 });
    expect(channelPath(UID, { sensor: 's1', query: c })).not.toBe(channelPath(UID, { sensor: 's1', query: a }));
  });

  it('that is unknown, malformed or holds an invalid query is no channel', () => {
    expect(decodeChannelPath('selftest')).toBeUndefined();
    expect(decodeChannelPath('v1/not-json')).toBeUndefined();
    expect(decodeChannelPath('h1/AAAAAAAAAAAAAAAAAAAAAA')).toBeUndefined();
    expect(decodeChannelPath('v1/a/b')).toBeUndefined();
    const bad = Buffer.from(JSON.stringify({ s: 's1', q: { contamination: 7 } }));
    expect(decodeChannelPath(`v1/${bad.toString('base64url')}`)).toBeUndefined();
  });
});
