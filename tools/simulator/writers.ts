/**
 * Writing simulated data to DynamoDB and S3 (also used by the integration
 * tests' fixtures): table/bucket creation, parallel BatchWriteItem with
 * retries of unprocessed items, and object uploads.
 */
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTableCommand,
  ResourceNotFoundException,
  type AttributeValue,
  type DynamoDBClient,
  type KeySchemaElement,
  type AttributeDefinition,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface TableKeys {
  hash: { name: string; type: 'S' | 'N' };
  range?: { name: string; type: 'S' | 'N' };
}

/** The seed's live table: `uid` (string) + numeric `timestamp`. */
export const SENSOR_TABLE_KEYS: TableKeys = {
  hash: { name: 'uid', type: 'S' },
  range: { name: 'timestamp', type: 'N' },
};

/** Creates the table (on-demand billing) unless it exists; waits until it is ACTIVE. Returns true if created. */
export async function ensureTable(
  client: DynamoDBClient,
  table: string,
  keys: TableKeys = SENSOR_TABLE_KEYS
): Promise<boolean> {
  try {
    await client.send(new DescribeTableCommand({ TableName: table }));
    return false;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) {
      throw e;
    }
  }
  const schema: KeySchemaElement[] = [{ AttributeName: keys.hash.name, KeyType: 'HASH' }];
  const defs: AttributeDefinition[] = [{ AttributeName: keys.hash.name, AttributeType: keys.hash.type }];
  if (keys.range) {
    schema.push({ AttributeName: keys.range.name, KeyType: 'RANGE' });
    defs.push({ AttributeName: keys.range.name, AttributeType: keys.range.type });
  }
  await client.send(
    new CreateTableCommand({
      TableName: table,
      KeySchema: schema,
      AttributeDefinitions: defs,
      BillingMode: 'PAY_PER_REQUEST',
    })
  );
  for (let i = 0; i < 100; i++) {
    const d = await client.send(new DescribeTableCommand({ TableName: table }));
    if (d.Table?.TableStatus === 'ACTIVE') {
      return true;
    }
    await sleep(100);
  }
  throw new Error(`table ${table} did not become ACTIVE`);
}

const BATCH = 25;

async function writeBatch(
  client: DynamoDBClient,
  table: string,
  items: Array<Record<string, AttributeValue>>
): Promise<void> {
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 10) {
      throw new Error(
        `BatchWriteItem on ${table}: ${pending.length} items still unprocessed after ${attempt} attempts`
      );
    }
    if (attempt > 0) {
      await sleep(Math.min(2000, 50 * 2 ** attempt));
    }
    const out = await client.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } }));
    pending = (out.UnprocessedItems?.[table] ?? []).map((r) => ({ PutRequest: { Item: r.PutRequest!.Item! } }));
  }
}

/**
 * Writes items with BatchWriteItem, `concurrency` batches of 25 in flight.
 * Accepts any iterable so callers can stream generated items without holding them all.
 */
export async function batchWrite(
  client: DynamoDBClient,
  table: string,
  items: Iterable<Record<string, AttributeValue>>,
  concurrency = 8
): Promise<number> {
  const iterator = items[Symbol.iterator]();
  let written = 0;
  const nextBatch = (): Array<Record<string, AttributeValue>> => {
    const batch: Array<Record<string, AttributeValue>> = [];
    while (batch.length < BATCH) {
      const r = iterator.next();
      if (r.done) {
        break;
      }
      batch.push(r.value);
    }
    return batch;
  };
  const worker = async () => {
    for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) {
      await writeBatch(client, table, batch);
      written += batch.length;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return written;
}

export async function ensureBucket(client: S3Client, bucket: string): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }));
    return false;
  } catch (e) {
    if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== 404) {
      throw e;
    }
  }
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  return true;
}

export async function putObject(
  client: S3Client,
  bucket: string,
  key: string,
  body: string | Buffer,
  contentType = 'text/csv'
): Promise<string> {
  const out = await client.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType })
  );
  return out.ETag ?? '';
}
