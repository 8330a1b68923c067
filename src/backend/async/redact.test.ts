import { REDACTED, redactSecrets, SecretRegistry } from './redact';

describe('redactSecrets', () => {
  it('masks every occurrence of each secret, a longer secret whole even when it contains a shorter one', () => {
    expect(redactSecrets('key abcdef then abcd', ['abcd', 'abcdef'])).toBe(`key ${REDACTED} then ${REDACTED}`);
  });

  it('leaves secrets shorter than four characters alone (masking "abc" everywhere would garble the text)', () => {
    expect(redactSecrets('abc abcd', ['abc', 'abcd', undefined])).toBe(`abc ${REDACTED}`);
  });

  it('treats regular-expression characters in a secret as plain text', () => {
    expect(redactSecrets('sig=a+b/c.d*e', ['a+b/c.d*e'])).toBe(`sig=${REDACTED}`);
  });
});

describe('SecretRegistry.redact', () => {
  it('masks credential keys inside Maps too, and keeps a "__proto__" key as a key', () => {
    const registry = new SecretRegistry();
    const headers = new Map([
      ['Authorization', 'Bearer token-1'],
      ['__proto__', 'x'],
      ['X-Other', 'fine'],
    ]);
    const out = registry.redact({ headers }) as { headers: Record<string, unknown> };
    expect(Object.entries(out.headers)).toEqual([
      ['Authorization', REDACTED],
      ['__proto__', 'x'],
      ['X-Other', 'fine'],
    ]);
  });

  it('masks registered values found in any string, with the same marker as redactSecrets', () => {
    const registry = new SecretRegistry();
    registry.register(['s3cr3t-value']);
    expect(registry.redact({ note: 'url?sig=s3cr3t-value' })).toEqual({ note: `url?sig=${REDACTED}` });
  });
});
