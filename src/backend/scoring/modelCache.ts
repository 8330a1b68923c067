/**
 * Trained models by cache key (`modelCacheKey`: training data identity,
 * features, parameters, seed), shared by every dashboard refresh and alert
 * evaluation that asks for the same model.
 *
 * - One production per key at a time: concurrent requests for a model that is
 *   being trained (or loaded from S3) wait for that one run. Each waiter stops
 *   waiting on its own abort signal; the run itself is aborted only when no
 *   waiter is left, so one closed panel never cancels another's model.
 * - Bounded by bytes (lru-cache, `sizeCalculation`): a model is held once, as
 *   its JSON's UTF-8 bytes in shared memory that every pool thread reads.
 * - Failures are reported to every waiter and not cached: the next request
 *   tries again. "Too few rows" is an answer, not a model: not cached either.
 */
import { LRUCache } from 'lru-cache';
import { SharedFlights } from '../async/sharedFlights';
import { ScoringCancelledError } from './features';
import type { SharedModel } from './tasks';
import type { DropCounts, TooFewRows } from './types';

/** Where a cached model came from. */
type ModelSource = 'trained' | 'store';

export interface CachedModel {
  ok: true;
  key: string;
  /** What it was trained on (the identity in its JSON). */
  identity: string;
  /** The model's JSON as UTF-8 bytes in shared memory: what the threads decode. */
  shared: SharedModel;
  /** The JSON text, decoded on demand (for code that loads the model on its own thread). */
  readonly json: string;
  rows: number;
  dropped: DropCounts;
  /** Epoch ms of the training (from the store's metadata for a loaded model, when it has it). */
  trainedAt: number;
  trainingMs: number;
  source: ModelSource;
  /** Bytes the cache counts for it. */
  bytes: number;
  /** Why persisting the model to S3 failed, when it did (the model is still used). */
  persistError?: string;
}

/** What a producer hands over: the model's JSON bytes (shared memory) and what is known about its training. */
export interface ProducedModel {
  ok: true;
  identity: string;
  text: SharedArrayBuffer;
  byteLength: number;
  rows: number;
  dropped: DropCounts;
  trainedAt: number;
  trainingMs: number;
  source: ModelSource;
  persistError?: string;
}

export type ModelOutcome = CachedModel | TooFewRows;

/** A row of `GET models`. */
export interface ModelSummary {
  key: string;
  identity: string;
  rows: number;
  trainedAt: string;
  trainingMs: number;
  bytes: number;
  source: ModelSource;
}

const DEFAULT_MODEL_CACHE_BYTES = 256 * 1024 * 1024;

function cacheEntry(key: string, produced: ProducedModel): CachedModel {
  const { text, byteLength, ...facts } = produced;
  const shared: SharedModel = { key, text, byteLength };
  return {
    ...facts,
    key,
    shared,
    bytes: byteLength,
    get json() {
      // TextDecoder refuses shared memory: decode a copy.
      return new TextDecoder().decode(new Uint8Array(text, 0, byteLength).slice());
    },
  };
}

export class ModelCache {
  private readonly models: LRUCache<string, CachedModel>;
  private readonly productions = new SharedFlights<ModelOutcome>();

  constructor(options: { maxBytes?: number } = {}) {
    this.models = new LRUCache<string, CachedModel>({
      maxSize: options.maxBytes ?? DEFAULT_MODEL_CACHE_BYTES,
      sizeCalculation: (model) => Math.max(1, model.bytes),
    });
  }

  /** The cached model, or undefined (no production started). */
  peek(key: string): CachedModel | undefined {
    return this.models.get(key);
  }

  /**
   * The model for `key`: cached, joined while another request produces it, or
   * produced now by `produce` (train, or load from the store).
   */
  async get(
    key: string,
    produce: (signal: AbortSignal) => Promise<ProducedModel | TooFewRows>,
    signal?: AbortSignal
  ): Promise<ModelOutcome> {
    const hit = this.models.get(key);
    if (hit) {
      return hit;
    }
    return this.productions.join(
      key,
      (own) => this.produce(key, produce, own),
      signal,
      () => new ScoringCancelledError()
    );
  }

  /** One production: cached when it yields a model ("too few rows" is an answer, not a model). */
  private async produce(
    key: string,
    produce: (signal: AbortSignal) => Promise<ProducedModel | TooFewRows>,
    signal: AbortSignal
  ): Promise<ModelOutcome> {
    const produced = await produce(signal);
    if (!produced.ok) {
      return produced;
    }
    const entry = cacheEntry(key, produced);
    this.models.set(key, entry);
    return entry;
  }

  /** What is cached, most recently used first. */
  list(): ModelSummary[] {
    return [...this.models.values()].map((m) => ({
      key: m.key,
      identity: m.identity,
      rows: m.rows,
      trainedAt: new Date(m.trainedAt).toISOString(),
      trainingMs: Math.round(m.trainingMs),
      bytes: m.bytes,
      source: m.source,
    }));
  }

  /** Models being produced right now. */
  get producing(): number {
    return this.productions.size;
  }

  get totalBytes(): number {
    return this.models.calculatedSize;
  }
}
