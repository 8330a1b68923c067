import { SourceError } from './errors';
import { clientBase, kafkaConnectionFromSettings, parseBrokers } from './kafkaConfig';
import { decodeReadingMessage } from './kafkaReadings';

const brokers = { kafkaBrokers: 'b1:9092, b2:9093' };

function problem(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).code).toBe('config');
    return (error as Error).message;
  }
  throw new Error('expected a config error');
}

describe('Kafka settings', () => {
  it('default to the topics "readings" and "anomalies" and the seed item shape', () => {
    const conn = kafkaConnectionFromSettings(brokers, {});
    expect(conn.brokers).toEqual(['b1:9092', 'b2:9093']);
    expect(conn.readingsTopic).toBe('readings');
    expect(conn.anomaliesTopic).toBe('anomalies');
    expect(conn.publishAnomalies).toBe(false);
    expect(conn.shape.sensorId).toEqual(['uid']);
    expect(conn.shape.timestamp).toEqual(['timestamp']);
    expect(conn.shape.readings).toEqual(['payload', 'data']);
    expect(conn.where).toBe('Kafka b1:9092, b2:9093');
  });

  it('name the field when the broker list is missing or malformed', () => {
    expect(problem(() => kafkaConnectionFromSettings({}, {}))).toMatch(/^kafkaBrokers: required/);
    expect(problem(() => parseBrokers('b1'))).toMatch(/^kafkaBrokers: .*host:port.*"b1"/);
    expect(problem(() => parseBrokers('b1:70000'))).toMatch(/port from 1 to 65535/);
    expect(parseBrokers('[::1]:9092,localhost:1')).toEqual(['[::1]:9092', 'localhost:1']);
  });

  it('refuse topic names Kafka would refuse', () => {
    expect(problem(() => kafkaConnectionFromSettings({ ...brokers, kafkaReadingsTopic: 'a b' }, {}))).toMatch(
      /^kafkaReadingsTopic: /
    );
    expect(problem(() => kafkaConnectionFromSettings({ ...brokers, kafkaAnomaliesTopic: '..' }, {}))).toMatch(
      /^kafkaAnomaliesTopic: /
    );
  });

  it('need a user name and password for SASL, and keep the password out of every message', () => {
    expect(problem(() => kafkaConnectionFromSettings({ ...brokers, kafkaSaslMechanism: 'plain' }, {}))).toMatch(
      /^kafkaUsername: required/
    );
    const noPassword = problem(() =>
      kafkaConnectionFromSettings({ ...brokers, kafkaSaslMechanism: 'scram-sha-256', kafkaUsername: 'u' }, {})
    );
    expect(noPassword).toMatch(/^kafkaPassword: required/);
    const conn = kafkaConnectionFromSettings(
      { ...brokers, kafkaSaslMechanism: 'scram-sha-512', kafkaUsername: 'u' },
      { kafkaPassword: 'pw-123' }
    );
    expect(conn.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'u', password: 'pw-123' });
    expect(conn.secrets).toEqual(['pw-123']);
    expect(conn.where).not.toContain('pw-123');
    expect(
      problem(() => kafkaConnectionFromSettings({ ...brokers, kafkaSaslMechanism: 'gssapi' as never }, {}))
    ).toMatch(/^kafkaSaslMechanism: /);
  });

  it('turn TLS and SASL into client options', () => {
    const conn = kafkaConnectionFromSettings(
      { ...brokers, kafkaTls: true, kafkaSaslMechanism: 'plain', kafkaUsername: 'u' },
      { kafkaPassword: 'p' }
    );
    const base = clientBase(conn, 'id');
    expect(base.tls).toEqual({});
    expect(base.sasl).toEqual({ mechanism: 'PLAIN', username: 'u', password: 'p' });
    expect(clientBase(kafkaConnectionFromSettings(brokers, {}), 'id').tls).toBeUndefined();
  });

  it('take custom field paths, and an empty readings path for readings at the top level', () => {
    const conn = kafkaConnectionFromSettings(
      { ...brokers, kafkaSensorIdField: 'device.id', kafkaTimestampField: 'ts', kafkaReadingsPath: '' },
      {}
    );
    expect(conn.shape.sensorId).toEqual(['device', 'id']);
    expect(conn.shape.readings).toEqual([]);
    expect(problem(() => kafkaConnectionFromSettings({ ...brokers, kafkaTimestampField: 'a..b' }, {}))).toMatch(
      /^kafkaTimestampField: /
    );
  });
});

describe('A reading message', () => {
  const shape = kafkaConnectionFromSettings(brokers, {}).shape;
  const message = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

  it('in the seed item shape decodes with numbers or numeric strings, seconds becoming milliseconds', () => {
    const outcome = decodeReadingMessage(
      message({
        uid: 'sensmitter_1',
        timestamp: 1612137600,
        payload: { data: { temperature: 22.8, humidity: '41.5', pressure: 1013, light_level: 0 } },
      }),
      shape
    );
    expect(outcome).toEqual({
      ok: true,
      item: { sensorId: 'sensmitter_1', timeMs: 1612137600000, values: [22.8, 41.5, 1013, 0], missingMask: 0 },
    });
  });

  it('that is not JSON, empty or absent is skipped as a bad payload', () => {
    expect(decodeReadingMessage(message('{"uid":'), shape)).toEqual({ ok: false, reason: 'bad_payload' });
    expect(decodeReadingMessage(Buffer.alloc(0), shape)).toEqual({ ok: false, reason: 'bad_payload' });
    expect(decodeReadingMessage(undefined, shape)).toEqual({ ok: false, reason: 'bad_payload' });
  });

  it('without a sensor, a timestamp or numeric readings is skipped with the reason', () => {
    expect(decodeReadingMessage(message({ timestamp: 1, payload: { data: { temperature: 1 } } }), shape)).toEqual({
      ok: false,
      reason: 'missing_sensor_id',
    });
    expect(decodeReadingMessage(message({ uid: 's', payload: { data: { temperature: 1 } } }), shape)).toEqual({
      ok: false,
      reason: 'missing_timestamp',
      sensorId: 's',
    });
    expect(
      decodeReadingMessage(message({ uid: 's', timestamp: 1, payload: { data: { temperature: 'warm' } } }), shape)
    ).toEqual({
      ok: false,
      reason: 'non_numeric_reading',
      sensorId: 's',
      timeMs: 1000,
    });
  });
});
