import { createDynamoClient, resolveAwsConnection } from './awsConfig';
import { AwsConfigError, describeAwsError } from './errors';

const SECRET = 'Zq9-DISTINCTIVE-SECRET-7f3c';
const TOKEN = 'TOKEN-DISTINCTIVE-ab12cd34';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

function expectNoSecret(e: unknown): void {
  const text = `${String(e)} ${(e as Error).stack ?? ''} ${JSON.stringify(e)}`;
  expect(text).not.toContain(SECRET);
  expect(text).not.toContain(TOKEN);
}

describe('resolveAwsConnection', () => {
  it('defaults to the SDK default chain in us-east-1', () => {
    const c = resolveAwsConnection({}, {});
    expect(c.authType).toBe('default');
    expect(c.region).toBe('us-east-1');
    expect(c.endpoint).toBeUndefined();
    expect(c.s3ForcePathStyle).toBe(true);
  });

  it('maps static keys and endpoints', async () => {
    const c = resolveAwsConnection(
      {
        authType: 'keys',
        defaultRegion: 'eu-west-1',
        endpoint: 'http://127.0.0.1:8000/',
        s3Endpoint: 'http://127.0.0.1:9000',
      },
      { accessKey: 'AKIDEXAMPLE', secretKey: SECRET, sessionToken: TOKEN }
    );
    expect(c.credentials).toEqual({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET, sessionToken: TOKEN });
    expect(c.endpoint).toBe('http://127.0.0.1:8000');
    expect(c.describeDynamo).toBe('http://127.0.0.1:8000 (region eu-west-1)');
    expect(c.secrets).toEqual(['AKIDEXAMPLE', SECRET, TOKEN]);
    const client = createDynamoClient(c);
    expect(await client.config.region()).toBe('eu-west-1');
    client.destroy();
  });

  it.each([
    [{ authType: 'keys' }, { secretKey: SECRET }, 'accessKey: required when authType is "keys"'],
    [{ authType: 'keys' }, { accessKey: 'AKID' }, 'secretKey: required when authType is "keys"'],
    [
      { authType: 'keys' },
      { accessKey: `bad ${SECRET}`, secretKey: SECRET },
      'accessKey: must be an AWS access key id',
    ],
    [{ authType: 'ec2_iam_role' }, {}, 'authType: must be one of "default", "keys", "credentials"'],
    [{ defaultRegion: 'Mars' }, {}, 'defaultRegion: must be an AWS region code'],
    [{ endpoint: 'localhost:8000' }, {}, 'endpoint: must use http or https'],
    [{ endpoint: 'not a url' }, {}, 'endpoint: must be an http(s) URL'],
    [{ s3Endpoint: `http://user:${SECRET}@host` }, {}, 's3Endpoint: must not contain credentials'],
    [{ assumeRoleArn: 'role/x' }, {}, 'assumeRoleArn: must be an IAM role ARN'],
    [{ externalId: 'abc' }, {}, 'externalId: only applies with assumeRoleArn'],
  ])('rejects %j with a message naming the field and never the secret', (json, secure, message) => {
    const e = errorOf(() => resolveAwsConnection(json as never, secure));
    expect(e).toBeInstanceOf(AwsConfigError);
    expect(e.message).toContain(message);
    expectNoSecret(e);
  });

  it('accepts an assume-role ARN with an external id', () => {
    const c = resolveAwsConnection(
      { authType: 'keys', assumeRoleArn: 'arn:aws:iam::123456789012:role/reader', externalId: 'ext-1' },
      { accessKey: 'AKID', secretKey: SECRET }
    );
    expect(typeof c.credentials).toBe('function');
  });
});

describe('error descriptions', () => {
  it('redacts secrets that an upstream error might echo', () => {
    const upstream = Object.assign(new Error(`signature for ${SECRET} with token ${TOKEN} rejected`), {
      name: 'InvalidSignatureException',
    });
    const e = describeAwsError(upstream, {
      service: 'DynamoDB',
      what: 'table "t"',
      where: 'region x',
      secrets: [SECRET, TOKEN],
    });
    expect(e.code).toBe('access_denied');
    expect(e.message).toContain('[REDACTED]');
    expectNoSecret(e);
  });

  it('classifies missing tables and unreachable endpoints', () => {
    const ctx = { service: 'DynamoDB' as const, what: 'table "t"', where: 'http://127.0.0.1:1', secrets: [] };
    expect(describeAwsError(Object.assign(new Error('x'), { name: 'ResourceNotFoundException' }), ctx).code).toBe(
      'table_not_found'
    );
    expect(
      describeAwsError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), ctx).code
    ).toBe('unreachable');
    expect(describeAwsError(Object.assign(new Error('x'), { name: 'TimeoutError' }), ctx).code).toBe('unreachable');
  });
});
