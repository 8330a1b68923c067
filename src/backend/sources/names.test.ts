import { SourceError } from './errors';
import { checkedName } from './names';

describe('a name setting', () => {
  it('is trimmed', () => {
    expect(checkedName('table', '  lab_readings ', 'dynamoTable', { required: 'the table' })).toBe('lab_readings');
  });

  it('left empty, is its fallback, or a config error saying what it is required for', () => {
    expect(checkedName('topic', '  ', 'kafkaTopic', { fallback: 'readings' })).toBe('readings');
    expect(checkedName('topic', undefined, 'kafkaTopic', { fallback: 'readings' })).toBe('readings');
    expect(() => checkedName('table', undefined, 'dynamoTable', { required: 'the table' })).toThrow(
      new SourceError('config', 'table: required (the table)')
    );
  });

  it('that breaks the service’s rule names the setting, the rule and the start of what it got', () => {
    expect(() => checkedName('bucket', 'My_Bucket', 's3Bucket', { required: 'history' })).toThrow(
      'bucket: must be an S3 bucket name of 3 to 63 lower-case letters, digits, "." or "-" (got "My_Bucket")'
    );
    expect(() => checkedName('table', 'x'.repeat(300), 'dynamoTable', { required: 'the table' })).toThrow(
      `(got "${'x'.repeat(80)}")`
    );
    expect(() => checkedName('topic', '..', 'kafkaTopic', { fallback: 'readings' })).toThrow(
      /^topic: must be 1 to 249/
    );
  });
});
