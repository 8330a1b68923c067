import { SETTINGS_LIMITS } from '../common/settings';
import { integerSettingError, kafkaBrokersError } from './settingsValidation';

describe('integerSettingError', () => {
  it('accepts the limits themselves and an empty box (the default)', () => {
    const { min, max } = SETTINGS_LIMITS.refreshOverlapMs;
    expect(integerSettingError('refreshOverlapMs', String(min))).toBeUndefined();
    expect(integerSettingError('refreshOverlapMs', ` ${max} `)).toBeUndefined();
    expect(integerSettingError('refreshOverlapMs', '')).toBeUndefined();
  });

  it('names the setting and its range for anything else', () => {
    const { min, max } = SETTINGS_LIMITS.livePollIntervalMs;
    expect(integerSettingError('livePollIntervalMs', String(min - 1))).toBe(
      `livePollIntervalMs: must be an integer from ${min} to ${max} (got "${min - 1}")`
    );
    expect(integerSettingError('maxItemsPerQuery', '2.5')).toMatch(
      /^maxItemsPerQuery: must be an integer .* \(got "2.5"\)$/
    );
    expect(integerSettingError('maxItemsPerQuery', 'lots')).toMatch(/\(got "lots"\)$/);
  });
});

describe('kafkaBrokersError', () => {
  it('accepts host:port lists with names, IPv4 and bracketed IPv6 hosts', () => {
    expect(kafkaBrokersError('b-1.kafka.example.com:9094, 10.0.0.7:9092,[::1]:9092')).toBeUndefined();
    expect(kafkaBrokersError('  ')).toBeUndefined();
  });

  it('names the first broker that is not host:port', () => {
    expect(kafkaBrokersError('kafka:9092,kafka2')).toBe(
      'kafkaBrokers: must be a comma-separated list of host:port with ports from 1 to 65535 (got "kafka2")'
    );
    expect(kafkaBrokersError('kafka:70000')).toMatch(/\(got "kafka:70000"\)$/);
    expect(kafkaBrokersError('kafka:9092,')).toMatch(/\(got ""\)$/);
  });
});
