import { kafkaBrokersError } from './kafkaBrokers';

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
