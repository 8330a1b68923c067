/**
 * Where an Isolation Forest model comes from, per sensor: the model cache, a
 * model persisted in S3, or a training run on the pool — trained on the
 * sensor's S3 history (`training: "history"`, the default) or on the
 * readings of a window before the range (`training: "window"`).
 *
 * A window is aligned to a 24th of its length (a 7-day window ends on a
 * multiple of 7 hours), so refreshes and alert evaluations inside that slot
 * share one model instead of retraining every minute; readings written into
 * an already-trained window reach the model at the next slot.
 */
import { parseDuration, type ResolvedQuery } from '../../common/query';
import type { Notice } from '../runtime';
import { ScoringCancelledError } from '../scoring/features';
import type { CachedModel, ProducedModel } from '../scoring/modelCache';
import { shareModelBytes } from '../scoring/tasks';
import { forestParamsOf, modelCacheKey } from '../scoring/train';
import type { FeatureSpec, TooFewRows } from '../scoring/types';
import { SourceError } from '../sources/errors';
import { historyIdentity, windowIdentity } from '../sources/modelStore';
import type { SensorSeries } from '../sources/types';
import type { Connections, ModelPersistence } from './connections';
import { countsText, type ModelInfo } from './frames';
import type { ScoringServices } from './services';

export interface ModelRequest {
  sensor: string;
  query: ResolvedQuery;
  spec: FeatureSpec;
  /** Start of the query's range (a window ends before it). */
  fromMs: number;
  signal: AbortSignal;
}

export type ModelAnswer =
  | { ok: true; model: CachedModel; info: ModelInfo; itemsRead: number; notices: Notice[] }
  | { ok: false; itemsRead: number; notices: Notice[] };

interface TrainingData {
  identity: string;
  /** Loads the training series (only when the model must be trained). */
  load(signal: AbortSignal): Promise<SensorSeries[]>;
  /** Where the data is, for notices. */
  where: string;
}

/** The window [fromMs, toMs] a model trains on for a range starting at `rangeFromMs`. */
function trainingWindow(trainingWindowText: string, rangeFromMs: number): { fromMs: number; toMs: number } {
  const windowMs = parseDuration(trainingWindowText)!;
  const slot = Math.max(1, Math.ceil(windowMs / 24));
  const toMs = Math.floor(rangeFromMs / slot) * slot;
  return { fromMs: toMs - windowMs, toMs };
}

/** Why readings gave no feature row, in words ("3 warming up, 1 missing reading"); '' when none. */
export function unusableReasons(dropped: TooFewRows['dropped']): string {
  return countsText(dropped, (reason) => reason.replaceAll('_', ' '));
}

function tooFewNotice(result: TooFewRows, where: string): Notice {
  const reasons = unusableReasons(result.dropped);
  return {
    severity: 'warning',
    text:
      `Not enough training data in ${where}: ${result.rows} usable readings, the model needs at least ${result.needed}` +
      (reasons ? ` (readings without a feature row: ${reasons})` : '') +
      '. The readings are shown unscored.',
  };
}

async function historyData(
  connections: Connections,
  sensor: string,
  signal: AbortSignal,
  notices: Notice[]
): Promise<TrainingData | undefined> {
  const { bucket, key } = connections.historyLocation(sensor);
  const where = `s3://${bucket}/${key}`;
  try {
    const { series, stats } = await connections.history().loadHistory(sensor, signal);
    if (stats.rowsSkipped > 0) {
      notices.push({
        severity: 'info',
        text: `Training history ${where}: ${stats.rowsSkipped} of ${stats.rowsRead} rows skipped (${countsText(stats.skipReasons)}).`,
      });
    }
    return { identity: historyIdentity(bucket, key, stats.etag), where, load: async () => [series] };
  } catch (error) {
    if (error instanceof SourceError && error.code === 'object_not_found') {
      notices.push({
        severity: 'warning',
        text: `No training history for ${sensor}: ${error.message}. Upload it, or train on recent readings (isolationForest.training "window"). The readings are shown unscored.`,
      });
      return undefined;
    }
    throw error;
  }
}

function windowData(
  connections: Connections,
  request: ModelRequest,
  counter: { itemsRead: number },
  notices: Notice[]
): TrainingData {
  const { sensor, query, fromMs } = request;
  const window = trainingWindow(query.isolationForest.trainingWindow, fromMs);
  const table = connections.dynamoConfig().table;
  const where = `the ${query.isolationForest.trainingWindow} of readings of ${sensor} before ${new Date(window.toMs).toISOString()}`;
  return {
    identity: windowIdentity(table, sensor, window.fromMs, window.toMs),
    where,
    async load(signal) {
      const { series, stats } = await connections.readings().readRange({ sensors: [sensor], ...window, signal });
      counter.itemsRead += stats.itemsRead;
      if (stats.itemsSkipped > 0) {
        notices.push({
          severity: 'warning',
          text: `Training window (${where}): ${stats.itemsSkipped} of ${stats.itemsRead} items skipped as malformed (${countsText(stats.skipReasons)}).`,
        });
      }
      if (stats.truncated) {
        notices.push({
          severity: 'warning',
          text: `The training window stopped after ${stats.itemCap} items (maxItemsPerQuery): the model learned from the first part of ${where} only.`,
        });
      }
      return series;
    },
  };
}

async function storedModel(
  store: ModelPersistence,
  key: string,
  services: ScoringServices,
  signal: AbortSignal,
  notices: Notice[]
): Promise<ProducedModel | undefined> {
  try {
    const stored = await store.load(key, signal);
    if (!stored) {
      return undefined;
    }
    const { text, byteLength } = shareModelBytes(key, stored.bytes);
    const facts = await services.pool.inspect({ key, text, byteLength }, signal);
    return {
      ok: true,
      ...facts,
      text,
      byteLength,
      trainedAt: stored.trainedAt,
      trainingMs: stored.trainingMs,
      source: 'store',
    };
  } catch (error) {
    if (error instanceof ScoringCancelledError || signal.aborted) {
      throw error;
    }
    notices.push({
      severity: 'warning',
      text: `The stored model ${store.location(key)} could not be used (${(error as Error).message}); trained a new one.`,
    });
    return undefined;
  }
}

async function produce(
  key: string,
  data: TrainingData,
  request: ModelRequest,
  deps: { connections: Connections; services: ScoringServices },
  signal: AbortSignal,
  notices: Notice[]
): Promise<ProducedModel | TooFewRows> {
  const store = deps.connections.models();
  const stored = store && (await storedModel(store, key, deps.services, signal, notices));
  if (stored) {
    return stored;
  }
  const series = await data.load(signal);
  const trainedAt = Date.now();
  const trained = await deps.services.pool.train(series, {
    spec: request.spec,
    params: forestParamsOf(request.query),
    identity: data.identity,
    signal,
  });
  if (!trained.ok) {
    return trained;
  }
  let persistError: string | undefined;
  if (store) {
    try {
      // A plain copy of the shared bytes for the HTTP body (one memcpy, no text on this thread).
      const body = new Uint8Array(trained.byteLength);
      body.set(new Uint8Array(trained.text, 0, trained.byteLength));
      await store.save(key, body, { trainedAt, trainingMs: trained.trainingMs, rows: trained.rows }, signal);
    } catch (error) {
      persistError = `${store.location(key)}: ${(error as Error).message}`;
    }
  }
  return {
    ok: true,
    identity: data.identity,
    text: trained.text,
    byteLength: trained.byteLength,
    rows: trained.rows,
    dropped: trained.dropped,
    trainedAt,
    trainingMs: trained.trainingMs,
    source: 'trained',
    persistError,
  };
}

/** A count of samples per tree above the training rows is capped to the rows (as scikit-learn does, with its warning). */
function maxSamplesCapNotice(maxSamples: number | 'auto', rows: number): Notice | undefined {
  // A number up to 1 is a fraction of the rows; above 1 it is a count.
  if (maxSamples === 'auto' || maxSamples <= 1 || maxSamples <= rows) {
    return undefined;
  }
  return {
    severity: 'info',
    text: `isolationForest.maxSamples ${maxSamples} is more than the ${rows} training rows: each tree is grown on all ${rows}.`,
  };
}

/** The sensor's Isolation Forest model, or notices saying why there is none. */
export async function isolationForestModel(
  request: ModelRequest,
  deps: { connections: Connections; services: ScoringServices }
): Promise<ModelAnswer> {
  const notices: Notice[] = [];
  const counter = { itemsRead: 0 };
  const data =
    request.query.isolationForest.training === 'window'
      ? windowData(deps.connections, request, counter, notices)
      : await historyData(deps.connections, request.sensor, request.signal, notices);
  if (!data) {
    return { ok: false, itemsRead: 0, notices };
  }
  const key = modelCacheKey(data.identity, request.spec, forestParamsOf(request.query));
  const cached = deps.services.models.peek(key) !== undefined;
  const outcome = await deps.services.models.get(
    key,
    (signal) => produce(key, data, request, deps, signal, notices),
    request.signal
  );
  if (!outcome.ok) {
    return { ok: false, itemsRead: counter.itemsRead, notices: [...notices, tooFewNotice(outcome, data.where)] };
  }
  const capped = maxSamplesCapNotice(request.query.isolationForest.maxSamples, outcome.rows);
  if (capped) {
    notices.push(capped);
  }
  if (outcome.persistError && outcome.source === 'trained' && !cached) {
    notices.push({
      severity: 'warning',
      text: `The model could not be persisted to ${outcome.persistError}; it is used from memory.`,
    });
  }
  return {
    ok: true,
    model: outcome,
    itemsRead: counter.itemsRead,
    notices,
    info: {
      key,
      source: cached ? 'cache' : outcome.source,
      identity: outcome.identity,
      trainingRows: outcome.rows,
      trainingMs: outcome.trainingMs,
    },
  };
}
