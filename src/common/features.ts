/**
 * The feature catalog: what the models can see besides the raw readings.
 * Shared by the query editor (names, labels, explanations), the query model
 * (validation, column counts) and the backend's scoring core (which computes
 * them). Imports nothing, like the rest of `src/common/`.
 *
 * A feature set is a list of transforms applied to every selected metric
 * (per-metric transforms) plus transforms that look across metrics or at the
 * clock (shared transforms). The scoring core owns the maths; this file owns
 * the names, so a query, a cached model and an explanation all agree on them.
 */

/** Feature sets a query may choose. */
export const FEATURE_SETS = ['default', 'raw', 'custom'] as const;
export type FeatureSet = (typeof FEATURE_SETS)[number];

/**
 * Transforms, in the order their columns appear in a model's feature matrix.
 * `perMetric`: one column per selected metric; otherwise the transform adds
 * `columns` columns once.
 */
export const FEATURE_TRANSFORMS = [
  {
    id: 'value',
    label: 'Reading',
    perMetric: true,
    columns: 1,
    description: 'The reading itself. Sees values outside the usual range (point anomalies).',
  },
  {
    id: 'deviation',
    label: 'Deviation from baseline',
    perMetric: true,
    columns: 1,
    description:
      'The reading minus its trailing baseline, in units of the baseline spread. Sees spikes, steps and the start of a drift.',
  },
  {
    id: 'spread',
    label: 'Short-window spread',
    perMetric: true,
    columns: 1,
    description: 'How much the last few readings vary. Sees a sensor stuck at one value and bursts of noise.',
  },
  {
    id: 'rate',
    label: 'Rate of change',
    perMetric: true,
    columns: 1,
    description: 'Change per minute since the previous reading. Sees jumps and drops.',
  },
  {
    id: 'time_of_day',
    label: 'Time of day',
    perMetric: false,
    columns: 2,
    description:
      'The hour as a point on a circle (two columns). Lets the model learn what is normal at noon and at night.',
  },
] as const;

export type FeatureTransformSpec = (typeof FEATURE_TRANSFORMS)[number];
export type FeatureTransform = FeatureTransformSpec['id'];
export const FEATURE_TRANSFORM_IDS: readonly FeatureTransform[] = FEATURE_TRANSFORMS.map((t) => t.id);

/** What each feature set means; `custom` uses the query's own `transforms`. */
export const FEATURE_SET_TRANSFORMS: Readonly<Record<Exclude<FeatureSet, 'custom'>, readonly FeatureTransform[]>> = {
  default: ['value', 'deviation', 'spread', 'rate', 'time_of_day'],
  raw: ['value'],
};

export const FEATURE_SET_DESCRIPTIONS: Readonly<Record<FeatureSet, string>> = {
  default:
    'Readings plus their deviation from a trailing baseline, short-window spread, rate of change and time of day: ' +
    'catches stuck sensors, steps, drifts and values that are normal at noon but not at night.',
  raw: 'The readings only, as the system this plugin replaces used them: catches values far outside the usual range.',
  custom: 'Pick the transforms yourself.',
};

/** The transforms a feature set stands for. */
export function transformsOf(set: FeatureSet, custom: readonly FeatureTransform[] = []): FeatureTransform[] {
  const chosen = set === 'custom' ? new Set(custom) : new Set(FEATURE_SET_TRANSFORMS[set]);
  // Catalog order, whatever order the query listed them in: the column layout is part of a model's identity.
  return FEATURE_TRANSFORM_IDS.filter((id) => chosen.has(id));
}

/** Number of columns the model sees for `metricCount` metrics and these transforms. */
export function featureColumnCount(metricCount: number, transforms: readonly FeatureTransform[]): number {
  let columns = 0;
  for (const spec of FEATURE_TRANSFORMS) {
    if (transforms.includes(spec.id)) {
      columns += spec.perMetric ? spec.columns * metricCount : spec.columns;
    }
  }
  return columns;
}
