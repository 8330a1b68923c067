/**
 * Training and scoring off the event loop: a piscina pool of worker threads
 * running the tasks of tasks.ts, so the gRPC thread that answers Grafana's
 * health checks, Live streams and Shutdown never waits on a detector.
 *
 * - Small inputs run inline: below `inlineRows` scored readings a round trip
 *   to a thread costs more than the work (measured in docs/benchmarks.md),
 *   unless the model is big and not yet decoded on the caller's thread.
 * - Large ranges are split into chunks scored side by side, one per thread:
 *   each chunk reads `warmupMs` of readings before its first row, and since a
 *   feature depends only on the readings of its window, chunked rows are
 *   bit-identical to one pass (pool.test.ts checks it).
 * - Cancellation: a request's abort raises a shared flag that the running
 *   task polls (the scoring core checks it every few thousand rows); a task
 *   that has not stopped `hardStopMs` later (a detector loop that does not
 *   poll) has its thread terminated by piscina. Either way the CPU is free
 *   within about 100 ms and the caller gets a ScoringCancelledError at once.
 * - Memory: series, models and results live in SharedArrayBuffers (tasks.ts);
 *   nothing large is copied between threads.
 *
 * Inside the single-executable backend a thread needs a script on disk;
 * `PoolScripts` says where (see handlers/workerScripts.ts and ADR 0007).
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import Piscina from 'piscina';
import {
  IsolationForest,
  resolveIsolationForestOptions,
  type ForestPart,
  type IsolationForestOptions,
  type Matrix,
} from '../../detectors';
import { lowerBound } from '../async/sortedSearch';
import type { SensorSeries } from '../sources/types';
import { ScoringCancelledError, emptyDropCounts, warmupMs } from './features';
import {
  TASKS,
  allocateScores,
  isDecodedHere,
  newCancelFlag,
  raiseCancelFlag,
  shareMatrix,
  shareSeries,
  type ChunkResult,
  type DbscanResult,
  type ModelFacts,
  type SharedCancel,
  type SharedMatrix,
  type SharedModel,
  type SharedScores,
  type SharedSeries,
  type TaskName,
  type TrainTaskResult,
} from './tasks';
import type { DropCounts, FeatureSpec, ForestParams, TooFewRows } from './types';

/** Where the thread scripts are: the scoring worker bundle, and (inside the executable) piscina's own worker. */
export interface PoolScripts {
  /** Path of the bundled `poolWorker.ts` (CommonJS). */
  scoringWorker: string;
  /**
   * Folder holding piscina's `worker.js`. Needed only when piscina itself is
   * bundled (the executable): the build points piscina's lookup at this
   * global instead of its own folder, which does not exist there.
   */
  piscinaWorkerDir?: string;
}

export interface ScoringPoolOptions {
  /** Without scripts every task runs inline (unit tests, tools). */
  scripts?: PoolScripts;
  /** Worker threads (default: the cores, at most 4). */
  threads?: number;
  /** Ranges with fewer scored readings than this run inline. */
  inlineRows?: number;
  /** Chunks are never smaller than this many scored readings. */
  minChunkRows?: number;
  /** How long a cancelled task may keep running before its thread is terminated. */
  hardStopMs?: number;
  /** Idle threads above one are stopped after this long. */
  idleTimeoutMs?: number;
}

const POOL_DEFAULTS = {
  /** About 10 ms of features and scoring (docs/benchmarks.md, "Inline or threads"). */
  inlineRows: 1000,
  /**
   * A model bigger than this is never decoded on the caller's thread: decoding
   * a 1,000-tree forest (tens of MB of JSON) would hold the event loop for
   * hundreds of ms, more than scoring a few rows costs anywhere.
   */
  inlineModelBytes: 1024 * 1024,
  minChunkRows: 4000,
  hardStopMs: 100,
  idleTimeoutMs: 60_000,
} as const;

/** The global the bundled piscina reads its worker folder from (set by the build's patch, see tools/backend-build). */
const PISCINA_WORKER_DIR = Symbol.for('iotlab.piscinaWorkerDir');

/** Per-row results of a range, in reading order; `rowIndex` points into the series that was scored. */
export interface RangeScores {
  rows: number;
  rowIndex: Uint32Array;
  score: Float64Array;
  flag: Uint8Array;
  explanation: Float64Array;
  dropped: DropCounts;
  threshold: number;
}

/** A forest fitted by {@link ScoringPool.fitForest}, with the parts its threads grew (what they score with). */
export interface PooledForest {
  forest: IsolationForest;
  /** In shared memory; the threads join them once per forest (by `key`). */
  parts: ForestPart[];
  options: IsolationForestOptions;
  key: string;
}

export interface PoolStats {
  threads: number;
  queued: number;
  inlineTasks: number;
  threadTasks: number;
  /** Tasks stopped by cancellation (cooperatively or by terminating the thread). */
  cancelledTasks: number;
}

interface Chunk {
  /** First reading read (warm-up included), first scored, end (exclusive). */
  from: number;
  first: number;
  to: number;
  scoreFromMs: number;
}

/**
 * Splits the scored readings [first, n) into `count` chunks of about equal size.
 * A boundary only falls where time strictly increases, so readings sharing a
 * timestamp stay in one chunk (the first of them is kept, the others dropped,
 * exactly as in one pass).
 */
export function planChunks(time: Float64Array, scoreFromMs: number, warmup: number, count: number): Chunk[] {
  const n = time.length;
  const first = lowerBound(time, scoreFromMs);
  const starts = [first];
  for (let k = 1; k < count; k++) {
    let b = Math.max(first + Math.round(((n - first) * k) / count), starts[starts.length - 1]! + 1);
    while (b < n && time[b] === time[b - 1]) {
      b++;
    }
    if (b < n) {
      starts.push(b);
    }
  }
  return starts.map((start, k) => {
    const scoreFrom = k === 0 ? scoreFromMs : time[start]!;
    return {
      // Readings before the warm-up cannot change a row (a feature looks back `warmup` at most): not read.
      from: lowerBound(time, scoreFrom - warmup),
      first: start,
      to: k + 1 < starts.length ? starts[k + 1]! : n,
      scoreFromMs: scoreFrom,
    };
  });
}

function addDropped(total: DropCounts, more: DropCounts): void {
  for (const reason of Object.keys(total) as Array<keyof DropCounts>) {
    total[reason] += more[reason];
  }
}

function mergeChunks(parts: Array<{ result: ChunkResult; out: SharedScores }>): RangeScores {
  const rows = parts.reduce((n, p) => n + p.result.rows, 0);
  const merged: RangeScores = {
    rows,
    rowIndex: new Uint32Array(rows),
    score: new Float64Array(rows),
    flag: new Uint8Array(rows),
    explanation: new Float64Array(rows),
    dropped: emptyDropCounts(),
    threshold: parts[0]?.result.threshold ?? Number.NaN,
  };
  let at = 0;
  for (const { result, out } of parts) {
    const r = result.rows;
    merged.rowIndex.set(new Uint32Array(out.rowIndex, 0, r), at);
    merged.score.set(new Float64Array(out.score, 0, r), at);
    merged.flag.set(new Uint8Array(out.flag, 0, r), at);
    merged.explanation.set(new Float64Array(out.explanation, 0, r), at);
    addDropped(merged.dropped, result.dropped);
    at += r;
  }
  return merged;
}

export class ScoringPool {
  private readonly piscina: Piscina | undefined;
  private readonly threads: number;
  private readonly inlineRows: number;
  private readonly minChunkRows: number;
  private readonly hardStopMs: number;
  private destroyed = false;
  private readonly counters = { inlineTasks: 0, threadTasks: 0, cancelledTasks: 0 };

  constructor(options: ScoringPoolOptions = {}) {
    this.threads = Math.max(1, options.threads ?? Math.min(4, availableParallelism()));
    this.inlineRows = options.inlineRows ?? POOL_DEFAULTS.inlineRows;
    this.minChunkRows = options.minChunkRows ?? POOL_DEFAULTS.minChunkRows;
    this.hardStopMs = options.hardStopMs ?? POOL_DEFAULTS.hardStopMs;
    if (options.scripts) {
      if (options.scripts.piscinaWorkerDir !== undefined) {
        (globalThis as Record<symbol, unknown>)[PISCINA_WORKER_DIR] = options.scripts.piscinaWorkerDir;
      }
      this.piscina = new Piscina({
        filename: options.scripts.scoringWorker,
        minThreads: 1,
        maxThreads: this.threads,
        idleTimeout: options.idleTimeoutMs ?? POOL_DEFAULTS.idleTimeoutMs,
      });
    }
  }

  /** True when tasks can run on threads (false: everything runs inline). */
  get usesThreads(): boolean {
    return this.piscina !== undefined;
  }

  get stats(): PoolStats {
    return {
      threads: this.piscina ? this.threads : 0,
      queued: this.piscina?.queueSize ?? 0,
      ...this.counters,
    };
  }

  /**
   * Features and scores of every reading at or after `scoreFromMs`, by a
   * trained model (with the features it was trained on); the series must
   * start `warmupMs(spec)` before that. `spec` only sets the chunks' warm-up.
   */
  async scoreRange(
    series: SensorSeries | SharedSeries,
    options: { spec: FeatureSpec; scoreFromMs: number; model: SharedModel; signal?: AbortSignal }
  ): Promise<RangeScores> {
    const shared = 'buffer' in series ? series : shareSeries(series);
    const time = new Float64Array(shared.buffer, 0, shared.length);
    const scored = shared.length - lowerBound(time, options.scoreFromMs);
    const model = options.model;
    const inline =
      this.inlineFor(scored) && (model.byteLength <= POOL_DEFAULTS.inlineModelBytes || isDecodedHere(model.key));
    const count = inline ? 1 : Math.max(1, Math.min(this.threads, Math.floor(scored / this.minChunkRows)));
    const chunks = planChunks(time, options.scoreFromMs, warmupMs(options.spec), count);
    const cancel = newCancelFlag();
    const parts = await Promise.all(
      chunks.map(async (chunk) => {
        const out = allocateScores(chunk.to - chunk.first);
        const task = {
          series: shared,
          from: chunk.from,
          to: chunk.to,
          scoreFromMs: chunk.scoreFromMs,
          model: options.model,
          out,
          cancel,
        };
        const result = await this.run('scoreChunk', task, inline, cancel, options.signal);
        return { result, out };
      })
    );
    return mergeChunks(parts);
  }

  /** DBSCAN on the features of every reading at or after `scoreFromMs` (one task: clusters span the range). */
  async dbscanRange(
    series: SensorSeries,
    options: {
      spec: FeatureSpec;
      scoreFromMs: number;
      eps: number | 'auto';
      minSamples: number;
      contamination: number;
      signal?: AbortSignal;
    }
  ): Promise<(RangeScores & { ok: true; eps: number }) | TooFewRows> {
    const shared = shareSeries(series);
    const scored = shared.length - lowerBound(series.time, options.scoreFromMs);
    const out = allocateScores(scored);
    const cancel = newCancelFlag();
    const { signal, ...params } = options;
    const result: DbscanResult = await this.run(
      'dbscanRange',
      { series: shared, ...params, out, cancel },
      this.inlineFor(scored),
      cancel,
      signal
    );
    if (!result.ok) {
      return result;
    }
    return { ...mergeChunks([{ result, out }]), ok: true, eps: result.eps };
  }

  /**
   * Trains a model on the series, on the threads when there are any (training
   * is the heaviest step): features on one, then the forests shared out among
   * all of them (each grown and scored where it lives), then the threshold
   * and the JSON on one. The model is the very one `trainModel` gives inline,
   * whatever the number of threads (pool.test.ts).
   */
  async train(
    series: readonly SensorSeries[],
    options: { spec: FeatureSpec; params: ForestParams; identity: string; signal?: AbortSignal }
  ): Promise<TrainTaskResult> {
    const { spec, params, identity, signal } = options;
    const cancel = newCancelFlag();
    const shared = series.map(shareSeries);
    if (!this.piscina || this.destroyed) {
      return this.run('trainTask', { series: shared, spec, params, identity, cancel }, true, cancel, signal);
    }
    const started = performance.now();
    const prep = await this.run('prepareTrainingTask', { series: shared, spec, params, cancel }, false, cancel, signal);
    if (!prep.ok) {
      return prep;
    }
    const { prepared, jobs } = prep;
    const raw = new SharedArrayBuffer(Math.max(1, jobs.length * prepared.x.rows) * Float64Array.BYTES_PER_ELEMENT);
    const lanes = Math.max(1, Math.min(this.threads, jobs.length));
    const forests = await Promise.all(
      Array.from({ length: lanes }, (_, lane) => {
        const mine = jobs.flatMap((_job, j) => (j % lanes === lane ? [j] : []));
        return this.run('trainJobsTask', { x: prepared.x, jobs, mine, raw, cancel }, false, cancel, signal);
      })
    );
    const task = { prepared, params, jobs, forests: forests.flat(), raw, identity };
    const result = await this.run('finishTrainingTask', task, false, cancel, signal);
    return result.ok ? { ...result, trainingMs: performance.now() - started } : result;
  }

  /**
   * An Isolation Forest fitted on the threads: its trees grown in equal
   * shares, one per thread (every tree has its own seed, so the forest is the
   * one `IsolationForest.fit` grows), then the training rows scored in equal
   * shares for the contamination offset. What `npm run bench` compares with
   * scikit-learn; `scoreForest` scores with it the same way.
   */
  async fitForest(
    x: Matrix | SharedMatrix,
    options: IsolationForestOptions,
    signal?: AbortSignal
  ): Promise<PooledForest> {
    const opts = resolveIsolationForestOptions(options);
    const matrix = 'buffer' in x ? x : shareMatrix(x);
    const cancel = newCancelFlag();
    const lanes = this.piscina && !this.destroyed ? Math.min(this.threads, opts.nEstimators) : 1;
    const parts: ForestPart[] = await Promise.all(
      Array.from({ length: lanes }, (_, lane) => {
        const firstTree = Math.floor((opts.nEstimators * lane) / lanes);
        const endTree = Math.floor((opts.nEstimators * (lane + 1)) / lanes);
        return this.run(
          'growForestTask',
          { x: matrix, options: opts, firstTree, endTree, cancel },
          lanes === 1,
          cancel,
          signal
        );
      })
    );
    const pooled = { forest: IsolationForest.fromParts(opts, parts), parts, options: opts, key: randomUUID() };
    if (opts.contamination === 'auto') {
      return pooled;
    }
    const scores = await this.scoreForest(pooled, matrix, signal);
    return { ...pooled, forest: pooled.forest.withTrainingScores(scores) };
  }

  /** scoreSamples of every row of x by a pooled forest, rows shared out among the threads. */
  async scoreForest(pooled: PooledForest, x: Matrix | SharedMatrix, signal?: AbortSignal): Promise<Float64Array> {
    const matrix = 'buffer' in x ? x : shareMatrix(x);
    const out = new SharedArrayBuffer(Math.max(1, matrix.rows) * Float64Array.BYTES_PER_ELEMENT);
    const cancel = newCancelFlag();
    const lanes =
      this.piscina && !this.destroyed ? Math.max(1, Math.min(this.threads, Math.floor(matrix.rows / 1000))) : 1;
    await Promise.all(
      Array.from({ length: lanes }, (_, lane) => {
        const rowFrom = Math.floor((matrix.rows * lane) / lanes);
        const rowTo = Math.floor((matrix.rows * (lane + 1)) / lanes);
        const task = { x: matrix, key: pooled.key, options: pooled.options, parts: pooled.parts, rowFrom, rowTo, out };
        return this.run('scoreForestTask', task, lanes === 1, cancel, signal);
      })
    );
    return new Float64Array(out, 0, matrix.rows).slice();
  }

  /**
   * Checks that a model (e.g. one loaded from S3) can be scored with, and
   * decodes it on a thread ahead of its first scoring; throws ModelFormatError otherwise.
   */
  inspect(model: SharedModel, signal?: AbortSignal): Promise<ModelFacts> {
    return this.run('inspectModel', model, false, newCancelFlag(), signal);
  }

  /** Terminates every thread; later tasks run inline. Idempotent. */
  async destroy(): Promise<void> {
    if (this.destroyed) {
      return;
    }
    this.destroyed = true;
    await this.piscina?.destroy();
  }

  private inlineFor(rows: number): boolean {
    return !this.piscina || this.destroyed || rows < this.inlineRows;
  }

  private async run<N extends TaskName>(
    name: N,
    task: Parameters<(typeof TASKS)[N]>[0],
    inline: boolean,
    cancel: SharedCancel,
    signal: AbortSignal | undefined
  ): Promise<ReturnType<(typeof TASKS)[N]>> {
    if (signal?.aborted) {
      throw new ScoringCancelledError();
    }
    if (inline || !this.piscina || this.destroyed) {
      this.counters.inlineTasks++;
      return (TASKS[name] as (t: typeof task) => ReturnType<(typeof TASKS)[N]>)(task);
    }
    this.counters.threadTasks++;
    const hardStop = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => {
      raiseCancelFlag(cancel);
      timer = setTimeout(() => hardStop.abort(), this.hardStopMs);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return await this.piscina.run(task, { name, signal: hardStop.signal });
    } catch (error) {
      if (signal?.aborted) {
        this.counters.cancelledTasks++;
        throw new ScoringCancelledError();
      }
      throw error;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
