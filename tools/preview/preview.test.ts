import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { parseEnvFile, stackSettings } from './preview';

describe('the stack’s env file', () => {
  it('reads KEY=value lines and skips comments and blank lines', () => {
    const env = parseEnvFile('# written by npm start\n\nIOTLAB_TABLE=readings\n  IOTLAB_REGION=eu-west-1  \n');
    expect([...env]).toEqual([
      ['IOTLAB_TABLE', 'readings'],
      ['IOTLAB_REGION', 'eu-west-1'],
    ]);
  });

  it('gives data source settings for the emulators it names', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'preview-test-')), 'stack.env');
    writeFileSync(file, 'IOTLAB_DYNAMODB_ENDPOINT=http://127.0.0.1:8000\nIOTLAB_S3_ENDPOINT=http://127.0.0.1:9000\n');
    const settings = stackSettings(file);
    expect(settings.jsonData).toMatchObject({
      endpoint: 'http://127.0.0.1:8000',
      s3Endpoint: 'http://127.0.0.1:9000',
      table: 'iotlab_readings',
      historyBucket: 'iotlab-history',
    });
    expect(settings.secureJsonData).toEqual({ accessKey: 'local', secretKey: 'local' });
  });

  it('says to start the stack when the file lacks the endpoints', () => {
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'preview-test-')), 'stack.env');
    writeFileSync(file, '');
    expect(() => stackSettings(file)).toThrow(
      /has no IOTLAB_DYNAMODB_ENDPOINT: start the stack with `npm start` first/
    );
  });
});
