/**
 * CheckHealth ("Save & test"): says exactly what is right or wrong, in the
 * order a user fixes things —
 *   settings → credentials and table (DescribeTable: key schema, access path)
 *   → one item read and decoded → the history bucket → one history object
 *   parsed (rows, skipped) → where models are persisted.
 * Settings that cannot be decoded are an ERROR result naming the field, never
 * a gRPC error. The whole check is bounded (HEALTH_TIMEOUT_MS), so an
 * unreachable endpoint answers within seconds instead of after the SDK's retries.
 */
import type { HealthResult, RequestContext } from '../runtime';
import type { AccessPath } from '../sources/dynamoReadings';
import { SourceError } from '../sources/errors';
import type { Connections } from './connections';

const HEALTH_TIMEOUT_MS = 5000;

const ACCESS_PATH_TEXT: Readonly<Record<AccessPath, string>> = {
  query: 'Query by sensor',
  'query-filter': 'Query by sensor, time filtered (a numeric sort key on the timestamp would make reads cheaper)',
  scan: 'Scan (the key schema is not sensor id + timestamp, so every read scans the table)',
};

function messageOf(error: unknown, timedOut: boolean, step: string): string {
  if (timedOut) {
    return `${step}: no answer within ${HEALTH_TIMEOUT_MS / 1000} s; check the endpoint, region and network`;
  }
  return error instanceof Error ? error.message : String(error);
}

function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

interface Step {
  name: string;
  run(signal: AbortSignal): Promise<string>;
}

/** Runs the steps in order; the first failure ends the check with an ERROR naming it. */
async function runSteps(steps: Step[], signal: AbortSignal, timeout: AbortSignal): Promise<HealthResult> {
  const done: string[] = [];
  const details: Record<string, unknown> = {};
  for (const step of steps) {
    try {
      const text = await step.run(signal);
      done.push(text);
      details[step.name] = { ok: true, message: text };
    } catch (error) {
      const message = messageOf(error, timeout.aborted, step.name);
      details[step.name] = { ok: false, message };
      return { status: 'ERROR', message: [...done, message].join('; '), details };
    }
  }
  return { status: 'OK', message: done.join('; '), details };
}

export async function checkHealth(
  connections: Connections,
  ctx: Pick<RequestContext, 'signal'>
): Promise<HealthResult> {
  const timeout = AbortSignal.timeout(HEALTH_TIMEOUT_MS);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  let sampleSensor: string | undefined;
  const steps: Step[] = [
    {
      name: 'settings',
      async run() {
        connections.dynamoConfig();
        connections.readings();
        return 'Settings decoded';
      },
    },
    {
      name: 'dynamodb',
      async run(s) {
        const check = await connections.readings().checkTable(s);
        const keys = check.rangeKey ? `${check.hashKey}, ${check.rangeKey}` : check.hashKey;
        const sample = await connections.readings().sampleItem(s);
        sampleSensor = sample.item?.sensorId;
        const item = sample.item
          ? `one item decoded (sensor ${sample.item.sensorId}, ${new Date(sample.item.timeMs).toISOString()})`
          : sample.skipped
            ? `the first item could not be decoded (${sample.skipped}): check the attribute settings`
            : 'the table is empty';
        if (sample.skipped && !sample.item) {
          throw new SourceError(
            'config',
            `DynamoDB table ${check.table} (${keys}): ${ACCESS_PATH_TEXT[check.accessPath]}; ${item}`
          );
        }
        return `DynamoDB table ${check.table} (${keys}): ${ACCESS_PATH_TEXT[check.accessPath]}, ${item}`;
      },
    },
    {
      name: 's3',
      async run(s) {
        if (!connections.options.historyBucket?.trim()) {
          return 'no training history bucket set: Isolation Forest can only train on a window of readings (isolationForest.training "window")';
        }
        await connections.history().checkBucket(s);
        if (!sampleSensor) {
          return `training bucket ${connections.historyLocation('x').bucket} reachable`;
        }
        const { bucket, key } = connections.historyLocation(sampleSensor);
        try {
          const { stats } = await connections.history().loadHistory(sampleSensor, s);
          return `training data s3://${bucket}/${key}: ${formatCount(stats.rowsRead - stats.rowsSkipped)} rows, ${formatCount(stats.rowsSkipped)} skipped`;
        } catch (error) {
          if (error instanceof SourceError && error.code === 'object_not_found') {
            return `no training history at s3://${bucket}/${key} (queries training on "history" show that sensor unscored)`;
          }
          throw error;
        }
      },
    },
    {
      name: 'models',
      async run() {
        if (!connections.options.historyBucket?.trim()) {
          return 'models not persisted (no bucket)';
        }
        const store = connections.models();
        return store
          ? `models persisted under ${store.prefixLocation()}`
          : 'models not persisted (modelKeyPrefix empty)';
      },
    },
  ];
  return runSteps(steps, signal, timeout);
}
