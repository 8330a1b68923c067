/**
 * Trained models persisted as their versioned JSON next to the training
 * history in S3, so a restarted backend does not retrain and the Kafka
 * scoring worker scores with exactly the model the dashboards use.
 *
 * Object key: `<modelKeyPrefix><model cache key>.json` in the history bucket,
 * e.g. `models/if-3f2a…c9.json`. The cache key (`modelCacheKey` in
 * src/backend/scoring/train.ts) hashes the training data's identity, the
 * feature spec and the forest parameters with the seed, so equal inputs give
 * the same object on every machine. Identities are built here, in one place:
 * - history training: `history:s3://<bucket>/<history key>@<ETag>` — a new
 *   upload of the CSV (new ETag) means a new model;
 * - window training: `window:dynamodb://<table>/<sensor>?from=<ms>&to=<ms>`.
 * S3 user metadata: `trained-at` (ISO time), `training-ms`, `rows`.
 *
 * This module moves text only; it knows nothing of what a model contains.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import { DEFAULT_SETTINGS, type AnomalyDataSourceOptions } from '../../common/settings';
import { s3Library } from './clientLibraries';
import { describeAwsError, SourceError } from './errors';

export interface ModelStoreConfig {
  bucket: string;
  /** Ends with "/" or is a plain prefix; never empty (an empty setting turns the store off). */
  prefix: string;
  where: string;
  secrets: readonly string[];
}

/** A model read back from the store. */
export interface StoredModel {
  /** The object's bytes (UTF-8 JSON). */
  bytes: Uint8Array;
  /** The same, decoded (on demand). */
  readonly json: string;
  /** Epoch ms from the object's metadata (its last-modified time when the metadata is missing). */
  trainedAt: number;
  trainingMs: number;
}

export interface ModelMetadata {
  trainedAt: number;
  trainingMs: number;
  rows: number;
}

const PREFIX = /^[A-Za-z0-9!_.*'()/-]{1,200}$/;

/**
 * The store's config from the data source settings, or undefined when models
 * are not persisted (`modelKeyPrefix` empty). Needs the history bucket.
 */
export function modelStoreConfigFromSettings(
  json: AnomalyDataSourceOptions,
  conn: { describeS3: string; secrets: readonly string[] },
  bucket: string
): ModelStoreConfig | undefined {
  const prefix = (json.modelKeyPrefix ?? DEFAULT_SETTINGS.modelKeyPrefix).trim();
  if (prefix === '') {
    return undefined;
  }
  if (!PREFIX.test(prefix) || prefix.split('/').includes('..') || prefix.startsWith('/')) {
    throw new SourceError(
      'config',
      `modelKeyPrefix: must be an S3 key prefix of letters, digits and ! _ . * ' ( ) / - such as "models/" (got "${prefix.slice(0, 60)}")`
    );
  }
  return { bucket, prefix, where: conn.describeS3, secrets: conn.secrets };
}

/** Identity of a model trained on a sensor's history object at one version. */
export function historyIdentity(bucket: string, key: string, etag: string): string {
  return `history:s3://${bucket}/${key}@${etag}`;
}

/** Identity of a model trained on a table's readings of one sensor in [fromMs, toMs). */
export function windowIdentity(table: string, sensor: string, fromMs: number, toMs: number): string {
  return `window:dynamodb://${table}/${sensor}?from=${fromMs}&to=${toMs}`;
}

function httpStatus(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

export class ModelStore {
  constructor(
    private readonly client: S3Client,
    private readonly config: ModelStoreConfig
  ) {}

  /** The S3 object key of a model. */
  objectKey(modelKey: string): string {
    return `${this.config.prefix}${modelKey}.json`;
  }

  /** Where a model lives, for messages: `s3://bucket/models/<key>.json`. */
  location(modelKey: string): string {
    return `s3://${this.config.bucket}/${this.objectKey(modelKey)}`;
  }

  /** Where models go: `s3://bucket/models/`. */
  prefixLocation(): string {
    return `s3://${this.config.bucket}/${this.config.prefix}`;
  }

  /** The stored model, or undefined when there is none. */
  async load(modelKey: string, signal?: AbortSignal): Promise<StoredModel | undefined> {
    const { GetObjectCommand } = s3Library();
    let response;
    try {
      response = await this.client.send(
        new GetObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(modelKey) }),
        { abortSignal: signal }
      );
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'NoSuchKey' || httpStatus(e) === 404) {
        return undefined;
      }
      throw this.describe(e, modelKey);
    }
    const bytes = (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
    const meta = response.Metadata ?? {};
    const trainedAt = Date.parse(meta['trained-at'] ?? '');
    return {
      bytes,
      get json() {
        return new TextDecoder().decode(bytes);
      },
      trainedAt: Number.isFinite(trainedAt) ? trainedAt : (response.LastModified?.getTime() ?? Date.now()),
      trainingMs: Number(meta['training-ms']) || 0,
    };
  }

  /** Writes a model's JSON (text, or its UTF-8 bytes). */
  async save(modelKey: string, json: string | Uint8Array, meta: ModelMetadata, signal?: AbortSignal): Promise<void> {
    const { PutObjectCommand } = s3Library();
    try {
      await this.client.send(
        new PutObjectCommand({
          Bucket: this.config.bucket,
          Key: this.objectKey(modelKey),
          Body: json,
          ContentType: 'application/json',
          Metadata: {
            'trained-at': new Date(meta.trainedAt).toISOString(),
            'training-ms': String(Math.round(meta.trainingMs)),
            rows: String(meta.rows),
          },
        }),
        { abortSignal: signal }
      );
    } catch (e) {
      throw this.describe(e, modelKey);
    }
  }

  private describe(e: unknown, modelKey: string): SourceError {
    return describeAwsError(e, {
      service: 'S3',
      what: `model ${this.location(modelKey)}`,
      where: this.config.where,
      secrets: this.config.secrets,
    });
  }
}
