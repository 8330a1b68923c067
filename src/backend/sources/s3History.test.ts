import type { S3Client } from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { SourceError } from './errors';
import { detectLayout, historyKey, S3HistorySource, s3ConfigFromSettings } from './s3History';

describe('history object keys', () => {
  it('replaces every {sensor} in the template', () => {
    expect(historyKey('{sensor}.csv', 'sensmitter_1')).toBe('sensmitter_1.csv');
    expect(historyKey('history/{sensor}/{sensor}.csv', 's2')).toBe('history/s2/s2.csv');
    expect(historyKey('Sensmitter_01.csv', 'sensmitter_1')).toBe('Sensmitter_01.csv');
  });
});

describe('CSV layout detection', () => {
  it('recognises the seed export and the plain column layout', () => {
    expect(detectLayout(['id', 'Payload '], 'k')).toBe('payload');
    expect(detectLayout(['timestamp', 'temperature', 'uid'], 'k')).toBe('columns');
  });

  it('names the expected columns for anything else', () => {
    expect(() => detectLayout(['time', 'value'], 'k.csv')).toThrow(SourceError);
    expect(() => detectLayout(['time', 'value'], 'k.csv')).toThrow(
      /k\.csv: header must have a "payload" column .* got "time,value"/
    );
  });
});

describe('s3ConfigFromSettings', () => {
  const conn = { describeS3: 'region us-east-1', secrets: [] };
  it('requires a valid bucket and defaults the key template', () => {
    expect(s3ConfigFromSettings({ historyBucket: 'mylabdata' }, conn)).toMatchObject({
      bucket: 'mylabdata',
      keyTemplate: '{sensor}.csv',
    });
    expect(() => s3ConfigFromSettings({}, conn)).toThrow(/^historyBucket: required/);
    expect(() => s3ConfigFromSettings({ historyBucket: 'My_Bucket' }, conn)).toThrow(
      /^historyBucket: must be an S3 bucket name/
    );
  });
});

describe('S3HistorySource downloads', () => {
  it('stop reading and parsing when the only caller stops waiting', async () => {
    let rowsPulled = 0;
    let requestSignal: AbortSignal | undefined;
    async function* slowCsv() {
      yield 'timestamp,temperature,humidity,pressure,light_level\n';
      for (let i = 0; i < 1_000_000; i++) {
        rowsPulled++;
        yield `${1_700_000_000 + i},21.5,40,1013,300\n`;
        if (i % 500 === 0) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }
    }
    const client = {
      send: async (_command: unknown, options: { abortSignal?: AbortSignal }) => {
        requestSignal = options.abortSignal;
        return { Body: Readable.from(slowCsv()), ETag: '"e1"' };
      },
    } as unknown as S3Client;
    const history = new S3HistorySource(
      client,
      s3ConfigFromSettings({ historyBucket: 'lab-history' }, { describeS3: 'a fake', secrets: [] })
    );
    const caller = new AbortController();
    const load = history.loadHistory('sensmitter_1', caller.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    caller.abort();
    await expect(load).rejects.toThrow('loading the history s3://lab-history/sensmitter_1.csv was cancelled');
    expect(requestSignal?.aborted).toBe(true);
    const pulledAtStop = rowsPulled;
    await new Promise((resolve) => setTimeout(resolve, 150));
    // A read already in flight may still deliver a row or two; left running, the object would yield
    // hundreds of rows a millisecond.
    expect(rowsPulled - pulledAtStop).toBeLessThan(50);
    expect(rowsPulled).toBeLessThan(1_000_000);
  });
});
