import { createLogger, formatTimestamp, type LoggerOptions } from './logger';
import { REDACTED, SecretRegistry } from '../async/redact';

function capture(options: Partial<LoggerOptions> = {}) {
  const lines: string[] = [];
  const logger = createLogger({
    module: 'test',
    level: 'trace',
    secrets: new SecretRegistry(),
    write: (line) => lines.push(line),
    ...options,
  });
  const parsed = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, parsed };
}

describe('formatTimestamp', () => {
  test('always exactly six fractional digits and a Z (Go layout 2006-01-02T15:04:05.000000Z07:00)', () => {
    expect(formatTimestamp(Date.UTC(2024, 4, 1, 12, 0, 0, 123) + 0.456)).toBe('2024-05-01T12:00:00.123456Z');
    expect(formatTimestamp(Date.UTC(2024, 4, 1, 12, 0, 0, 0))).toBe('2024-05-01T12:00:00.000000Z');
    expect(formatTimestamp(Date.UTC(2024, 4, 1, 12, 0, 0, 7) + 0.0009)).toBe('2024-05-01T12:00:00.007000Z');
    expect(formatTimestamp(Date.UTC(2024, 4, 1, 12, 0, 0, 999) + 0.5)).toBe('2024-05-01T12:00:00.999500Z');
  });
});

describe('createLogger', () => {
  test('writes one JSON object per line with @level, @message, @timestamp, @module and key/values', () => {
    const { logger, lines, parsed } = capture({ now: () => Date.UTC(2024, 0, 2, 3, 4, 5, 6) });
    logger.info('hello', { refId: 'A', rows: 3 });
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(lines[0]!.trimEnd()).not.toContain('\n');
    expect(parsed()[0]).toEqual({
      '@level': 'info',
      '@message': 'hello',
      '@timestamp': '2024-01-02T03:04:05.006000Z',
      '@module': 'test',
      refId: 'A',
      rows: 3,
    });
  });

  test('the real clock also gives six fractional digits', () => {
    const { logger, parsed } = capture();
    logger.warn('now');
    expect(parsed()[0]!['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  });

  test('filters by level and names child modules', () => {
    const { logger, parsed } = capture({ level: 'warn' });
    logger.info('hidden');
    logger.child('queries', { datasource: 'uid1' }).error('shown');
    expect(parsed()).toHaveLength(1);
    expect(parsed()[0]).toMatchObject({ '@level': 'error', '@module': 'test.queries', datasource: 'uid1' });
  });

  test('errors become "Name: message" strings', () => {
    const { logger, parsed } = capture();
    logger.error('failed', { error: new TypeError('boom') });
    expect(parsed()[0]!.error).toBe('TypeError: boom');
  });

  test('a field cannot overwrite the line format’s own keys', () => {
    const { logger, parsed } = capture();
    logger.info('real', { '@message': 'fake' });
    expect(parsed()[0]).toMatchObject({ '@message': 'real', '_@message': 'fake' });
  });

  test('never writes to stdout', () => {
    const spy = jest.spyOn(process.stdout, 'write');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      createLogger({ module: 'test', level: 'trace' }).info('to stderr');
      expect(spy).not.toHaveBeenCalled();
      expect(stderr).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
      stderr.mockRestore();
    }
  });
});

describe('redaction', () => {
  test('masks credential-like keys at any depth', () => {
    const { logger, lines } = capture();
    logger.info('settings', {
      accessKey: 'AKIAEXAMPLE',
      config: { secretKey: 'abc/def', sessionToken: 'tok-123', password: 'pw', region: 'eu-west-1' },
      decryptedSecureJsonData: { anything: 'x' },
      headers: { Authorization: 'Bearer t', 'X-Other': 'fine' },
    });
    const line = JSON.parse(lines[0]!);
    expect(line.accessKey).toBe(REDACTED);
    expect(line.config).toEqual({
      secretKey: REDACTED,
      sessionToken: REDACTED,
      password: REDACTED,
      region: 'eu-west-1',
    });
    expect(line.decryptedSecureJsonData).toBe(REDACTED);
    expect(line.headers).toEqual({ Authorization: REDACTED, 'X-Other': 'fine' });
    for (const secret of ['AKIAEXAMPLE', 'abc/def', 'tok-123', 'Bearer t']) {
      expect(lines[0]).not.toContain(secret);
    }
  });

  test('masks registered secret values wherever they appear: message, strings, errors', () => {
    const secrets = new SecretRegistry();
    secrets.register(['wJalrXUtnFEMI/K7MDENG', 'short']);
    const { logger, lines } = capture({ secrets });
    logger.error('signing with wJalrXUtnFEMI/K7MDENG failed', {
      url: 'https://x.test/?sig=wJalrXUtnFEMI/K7MDENG',
      error: new Error('bad key wJalrXUtnFEMI/K7MDENG'),
      note: 'a short word',
    });
    expect(lines[0]).not.toContain('wJalrXUtnFEMI/K7MDENG');
    expect(JSON.parse(lines[0]!)['@message']).toBe(`signing with ${REDACTED} failed`);
    expect(JSON.parse(lines[0]!).note).toBe(`a ${REDACTED} word`);
  });

  test('values shorter than four characters are masked by key only (masking "ab" everywhere would garble logs)', () => {
    const secrets = new SecretRegistry();
    secrets.register(['ab']);
    expect(secrets.maskString('about')).toBe('about');
  });

  test('typed arrays and deep objects are summarised, not dumped', () => {
    const { logger, parsed } = capture();
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 12; i++) {
      deep = { deep };
    }
    logger.info('big', { bytes: new Uint8Array(1000), deep });
    expect(parsed()[0]!.bytes).toBe('<Uint8Array 1000 bytes>');
    expect(JSON.stringify(parsed()[0]!.deep)).toContain('[…]');
  });
});
