import { checkKafkaBrokers, checkNumericSetting, SETTINGS_LIMITS } from './settings';

describe('checkNumericSetting', () => {
  it('accepts saved numbers and typed text within the limits', () => {
    expect(checkNumericSetting('maxItemsPerQuery', 5000)).toEqual({ ok: true, value: 5000 });
    expect(checkNumericSetting('maxItemsPerQuery', ' 5000 ')).toEqual({ ok: true, value: 5000 });
    expect(checkNumericSetting('refreshOverlapMs', 0)).toEqual({ ok: true, value: 0 });
  });

  it('names the setting, the range from the table and the input as typed', () => {
    expect(checkNumericSetting('maxItemsPerQuery', 0)).toEqual({
      ok: false,
      message: 'maxItemsPerQuery: must be an integer from 1 to 10000000 (got 0)',
    });
    expect(checkNumericSetting('maxItemsPerQuery', '2.5')).toEqual({
      ok: false,
      message: 'maxItemsPerQuery: must be an integer from 1 to 10000000 (got "2.5")',
    });
    expect(checkNumericSetting('livePollIntervalMs', 'soon')).toMatchObject({ ok: false });
    expect(checkNumericSetting('livePollIntervalMs', null)).toMatchObject({ ok: false });
  });

  it.each(Object.entries(SETTINGS_LIMITS))('holds %s to both ends of its range', (name, { min, max }) => {
    const setting = name as keyof typeof SETTINGS_LIMITS;
    expect(checkNumericSetting(setting, min)).toEqual({ ok: true, value: min });
    expect(checkNumericSetting(setting, max)).toEqual({ ok: true, value: max });
    expect(checkNumericSetting(setting, min - 1).ok).toBe(false);
    expect(checkNumericSetting(setting, max + 1).ok).toBe(false);
  });
});

describe('checkKafkaBrokers', () => {
  it('reads host:port lists with names, IPv4 and bracketed IPv6 hosts', () => {
    expect(checkKafkaBrokers('b-1.kafka.example.com:9094, 10.0.0.7:9092,[::1]:9092')).toEqual({
      ok: true,
      brokers: ['b-1.kafka.example.com:9094', '10.0.0.7:9092', '[::1]:9092'],
    });
  });

  it('reads empty text as no brokers', () => {
    expect(checkKafkaBrokers('  ')).toEqual({ ok: true, brokers: [] });
    expect(checkKafkaBrokers(undefined)).toEqual({ ok: true, brokers: [] });
  });

  it('names the first entry that is not host:port with a port from 1 to 65535', () => {
    expect(checkKafkaBrokers('kafka:9092,kafka2')).toEqual({
      ok: false,
      message: 'kafkaBrokers: each entry must be host:port with a port from 1 to 65535 (got "kafka2")',
    });
    expect(checkKafkaBrokers('kafka:70000')).toMatchObject({
      ok: false,
      message: expect.stringMatching(/\(got "kafka:70000"\)$/),
    });
    expect(checkKafkaBrokers('kafka:0')).toMatchObject({ ok: false });
  });
});
