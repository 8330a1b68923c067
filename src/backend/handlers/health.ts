/**
 * CheckHealth ("Save & test" in the data source settings).
 * TODO(issue 7 item 7): contact DynamoDB and S3 and report what is right or wrong.
 */
import type { HealthResult } from '../runtime';
import type { Connections } from './connections';

export async function checkHealth(connections: Connections): Promise<HealthResult> {
  const table = typeof connections.options.table === 'string' ? connections.options.table.trim() : '';
  if (table === '') {
    return {
      status: 'ERROR',
      message: 'DynamoDB table is not set: enter it in the data source settings (jsonData.table).',
    };
  }
  return {
    status: 'OK',
    message: `Placeholder backend is running (table "${table}" is not checked yet: the DynamoDB and S3 checks come with the query pipeline).`,
  };
}
