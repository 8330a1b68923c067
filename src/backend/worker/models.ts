/**
 * The worker's models, per sensor: exactly the model the dashboards use. Its
 * key is the same `modelCacheKey` of (the history object's identity, the
 * query's feature spec, the forest's parameters and seed) that QueryData
 * computes; a model persisted under that key (by the plugin or by another
 * worker) is loaded, otherwise the worker trains it with the same code on the
 * same history and persists it for the others.
 *
 * A sensor's model is looked up again after `refreshMs` (in the background,
 * the old one scores meanwhile), so a new history upload reaches the workers.
 */
import type { ResolvedQuery } from '../../common/query';
import { featureSpecOf } from '../scoring/features';
import { loadModel, type LoadedModel } from '../scoring/model';
import { forestParamsOf, modelCacheKey, trainModel } from '../scoring/train';
import type { FeatureSpec, ForestParams } from '../scoring/types';
import { SourceError } from '../sources/errors';
import { historyIdentity, type ModelStore } from '../sources/modelStore';
import { historyKey, type S3HistorySource } from '../sources/s3History';

interface SensorModel {
  key: string;
  model: LoadedModel;
  source: 'store' | 'trained';
}

/** Why a sensor has no model: it is then counted and its readings are skipped, never guessed. */
interface NoModel {
  key: undefined;
  reason: 'no_history' | 'too_few_rows';
  message: string;
}

export type ModelLookup = SensorModel | NoModel;

interface Entry {
  at: number;
  lookup: Promise<ModelLookup>;
  refreshing: boolean;
}

export class WorkerModels {
  private readonly entries = new Map<string, Entry>();
  readonly spec: FeatureSpec;
  readonly params: ForestParams;

  constructor(
    private readonly deps: {
      history: S3HistorySource;
      store: ModelStore | undefined;
      bucket: string;
      keyTemplate: string;
      log: (message: string, fields?: Record<string, unknown>) => void;
    },
    query: ResolvedQuery,
    private readonly refreshMs = 10 * 60_000
  ) {
    this.spec = featureSpecOf({ metrics: query.metrics, transforms: query.transforms });
    this.params = forestParamsOf(query);
  }

  /** The sensor's model (shared by concurrent callers; a failure is not kept, so the next call retries). */
  get(sensor: string): Promise<ModelLookup> {
    const entry = this.entries.get(sensor);
    if (!entry) {
      const fresh: Entry = { at: Date.now(), lookup: this.resolve(sensor), refreshing: false };
      this.entries.set(sensor, fresh);
      fresh.lookup.catch(() => {
        if (this.entries.get(sensor) === fresh) {
          this.entries.delete(sensor);
        }
      });
      return fresh.lookup;
    }
    if (Date.now() - entry.at >= this.refreshMs && !entry.refreshing) {
      // Look again in the background; the current model scores until the new one is there.
      entry.refreshing = true;
      this.resolve(sensor).then(
        (lookup) => this.entries.set(sensor, { at: Date.now(), lookup: Promise.resolve(lookup), refreshing: false }),
        (error: unknown) => {
          entry.at = Date.now();
          entry.refreshing = false;
          this.deps.log('model refresh failed; the current model keeps scoring', {
            sensor,
            error: (error as Error).message,
          });
        }
      );
    }
    return entry.lookup;
  }

  private async resolve(sensor: string): Promise<ModelLookup> {
    const key = historyKey(this.deps.keyTemplate, sensor);
    let loaded;
    try {
      loaded = await this.deps.history.loadHistory(sensor);
    } catch (error) {
      if (error instanceof SourceError && error.code === 'object_not_found') {
        return { key: undefined, reason: 'no_history', message: error.message };
      }
      throw error;
    }
    const identity = historyIdentity(this.deps.bucket, key, loaded.stats.etag);
    const modelKey = modelCacheKey(identity, this.spec, this.params);
    const stored = await this.deps.store?.load(modelKey);
    if (stored) {
      return { key: modelKey, model: loadModel(stored.json), source: 'store' };
    }
    const started = performance.now();
    const trained = trainModel([loaded.series], this.spec, this.params, { identity });
    const trainingMs = performance.now() - started;
    if (!trained.ok) {
      return {
        key: undefined,
        reason: 'too_few_rows',
        message: `history of ${sensor} has ${trained.rows} usable rows, the model needs ${trained.needed}`,
      };
    }
    const json = JSON.stringify(trained.model);
    try {
      await this.deps.store?.save(modelKey, json, {
        trainedAt: Date.now(),
        trainingMs,
        rows: trained.model.training.rows,
      });
    } catch (error) {
      this.deps.log('model trained but not persisted', { sensor, model: modelKey, error: (error as Error).message });
    }
    this.deps.log('model trained', {
      sensor,
      model: modelKey,
      rows: trained.model.training.rows,
      ms: Math.round(trainingMs),
    });
    return { key: modelKey, model: loadModel(json), source: 'trained' };
  }
}
