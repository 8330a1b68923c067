import { QueryFieldError, resolveQuery, DEFAULT_QUERY } from '../common/query';
import type { AnomalyQuery } from './types';

/**
 * Text typed into a numeric field that is not a number yet, keyed by the
 * query's dotted path (`dbscan.eps`). It never enters the saved query, but it
 * is validated as if it had, so the user sees the backend's own message.
 */
export type Drafts = Readonly<Record<string, string>>;

/** The query editor's two uses: a panel's query, or an annotation's (always `anomalies`, never live). */
export type EditorMode = 'query' | 'annotation';

/**
 * The first field of `query` (with `drafts` laid over it) that the backend
 * would reject, or undefined when the query is valid.
 */
export function findQueryError(query: object, drafts: Drafts = {}): QueryFieldError | undefined {
  try {
    resolveQuery(withDrafts(query, drafts));
    return undefined;
  } catch (error) {
    if (error instanceof QueryFieldError) {
      return error;
    }
    throw error;
  }
}

function withDrafts(query: object, drafts: Drafts): Record<string, unknown> {
  const raw: Record<string, unknown> = { ...query };
  for (const [path, text] of Object.entries(drafts)) {
    const [head, leaf] = path.split('.', 2);
    if (leaf === undefined) {
      raw[head] = text;
    } else {
      const parent = raw[head];
      raw[head] = { ...(typeof parent === 'object' && parent !== null ? parent : {}), [leaf]: text };
    }
  }
  return raw;
}

/**
 * An annotation's query as it runs: always `anomalies`, never live, no count
 * interval (annotations are points in time). What it drops is neither sent
 * nor validated.
 */
export function annotationTarget(query: AnomalyQuery): AnomalyQuery {
  const { live: _live, liveSource: _source, liveReplayMinutes: _replay, countInterval: _interval, ...target } = query;
  return { ...target, queryType: 'anomalies' };
}

const FOREST_FIELDS = ['nEstimators', 'maxSamples', 'maxFeatures', 'seed', 'training'];

/**
 * The query fields (dotted paths) the editor shows a control for, given what
 * is chosen. An error in any other field goes to a banner, so no error is
 * ever invisible.
 */
export function visibleFields(query: AnomalyQuery, mode: EditorMode): ReadonlySet<string> {
  const model = query.model ?? DEFAULT_QUERY.model;
  const queryType = mode === 'annotation' ? 'anomalies' : (query.queryType ?? DEFAULT_QUERY.queryType);
  const fields = ['sensors', 'metric', 'metrics', 'featureSet', 'model', 'contamination'];
  if (query.featureSet === 'custom') {
    fields.push('transforms');
  }
  if (model === 'isolation_forest') {
    fields.push(...FOREST_FIELDS.map((f) => `isolationForest.${f}`));
    if ((query.isolationForest?.training ?? DEFAULT_QUERY.isolationForest.training) === 'window') {
      fields.push('isolationForest.trainingWindow');
    }
  } else {
    fields.push('dbscan.eps', 'dbscan.minSamples');
  }
  if (mode === 'query') {
    fields.push('queryType', 'live');
    if (queryType === 'anomaly_count') {
      fields.push('countInterval');
    }
    if (query.live) {
      fields.push('liveSource');
      if ((query.liveSource ?? DEFAULT_QUERY.liveSource) === 'kafka') {
        fields.push('liveReplayMinutes');
      }
    }
  }
  return new Set(fields);
}
