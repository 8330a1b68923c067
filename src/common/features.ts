/**
 * The feature catalog: what the models can see besides the raw readings.
 * Shared by the query editor (names, labels, explanations), the query model
 * (validation, column counts), the frames (explanation codes and their value
 * mappings) and the backend's scoring core (which computes the features).
 * Imports only its siblings, like the rest of `src/common/`.
 *
 * A feature set is a list of transforms applied to every selected metric
 * (per-metric transforms) plus transforms that look at the clock (shared
 * transforms). The scoring core owns the maths (src/backend/scoring/features.ts,
 * explained for users in docs/features.md); this file owns the names and the
 * codes, so a query, a cached model and an explanation all agree on them.
 */
import { NO_EXPLANATION } from './frames';

/**
 * The readings a sensor item carries, in the order of their explanation codes
 * (temperature = 1, …): append new metrics at the end, never reorder.
 */
export const METRICS = ['temperature', 'humidity', 'pressure', 'light_level'] as const;
export type Metric = (typeof METRICS)[number];

/** Feature sets a query may choose. */
export const FEATURE_SETS = ['default', 'raw', 'custom'] as const;
export type FeatureSet = (typeof FEATURE_SETS)[number];

/**
 * Transforms, in the order their columns appear in a model's feature matrix.
 * `perMetric`: one column per selected metric; otherwise the transform adds
 * `columns` columns once. `code` is the transform's part of an explanation
 * code (see {@link featureCode}): stable forever, so stored models and
 * dashboards keep decoding old explanations.
 */
export const FEATURE_TRANSFORMS = [
  {
    id: 'value',
    code: 1,
    label: 'Reading',
    perMetric: true,
    columns: 1,
    description: 'The reading itself. Sees values outside the usual range (point anomalies).',
  },
  {
    id: 'deviation',
    code: 2,
    label: 'Deviation from baseline',
    perMetric: true,
    columns: 1,
    description:
      "How far the reading is from the median of the last hour, in units of that hour's spread. " +
      'Sees spikes, steps and the start of a drift, even inside the usual range.',
  },
  {
    id: 'spread',
    code: 3,
    label: 'Short-window spread',
    perMetric: true,
    columns: 1,
    description:
      'How much the readings of the last 5 minutes vary, on a log scale. ' +
      'Sees a sensor stuck at one value (very low) and bursts of noise (high).',
  },
  {
    id: 'rate',
    code: 4,
    label: 'Rate of change',
    perMetric: true,
    columns: 1,
    description:
      'Change per minute between the medians of the last two 30-minute windows. ' +
      'Sees drifts, ramps and steps, and is not fooled by noise or by how often the sensor reports.',
  },
  {
    id: 'roughness',
    code: 8,
    label: 'Minute-to-minute roughness',
    perMetric: true,
    columns: 1,
    description:
      'How much the reading changes from one minute to the next over the last 15 minutes, on a log scale. ' +
      'Sees noise, oscillations and jumps between a few values (high), and a stuck sensor (very low).',
  },
  {
    id: 'daily_profile',
    code: 6,
    label: 'Usual for the time of day',
    perMetric: true,
    columns: 1,
    description:
      'How far the reading is from what the training data holds as usual at this time of day (UTC), in units of the ' +
      'usual spread then. Sees values normal at noon but not at night, and slow drifts away from the daily rhythm.',
  },
  {
    id: 'cross_residual',
    code: 7,
    label: 'Out of line with the other metrics',
    perMetric: true,
    columns: 1,
    description:
      'How far the reading is from what the other metrics predict for it, as learned from the training data ' +
      '(e.g. humidity falls as temperature rises). Sees a drift or a fault in one sensor that the others do not share.',
  },
  {
    id: 'time_of_day',
    code: 5,
    label: 'Time of day',
    perMetric: false,
    columns: 2,
    description:
      'The hour (UTC) as a point on a circle (two columns). Lets the model learn what is normal at noon and at night.',
  },
] as const;

type FeatureTransformSpec = (typeof FEATURE_TRANSFORMS)[number];
export type FeatureTransform = FeatureTransformSpec['id'];
export const FEATURE_TRANSFORM_IDS: readonly FeatureTransform[] = FEATURE_TRANSFORMS.map((t) => t.id);

/** What each feature set means; `custom` uses the query's own `transforms`. */
const FEATURE_SET_TRANSFORMS: Readonly<Record<Exclude<FeatureSet, 'custom'>, readonly FeatureTransform[]>> = {
  default: ['deviation', 'spread', 'rate', 'roughness', 'daily_profile'],
  raw: ['value'],
};

export const FEATURE_SET_DESCRIPTIONS: Readonly<Record<FeatureSet, string>> = {
  default:
    'Each reading against the last hour (deviation), the last 5 minutes (spread), its rate of change, how rough its ' +
    'minute-to-minute changes are and what is usual at that time of day: catches stuck sensors, steps, drifts, noise, ' +
    'oscillations and values normal at noon but not at night.',
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

/** One column of a model's feature matrix. */
interface FeatureColumn {
  transform: FeatureTransform;
  /** The metric a per-metric column describes; undefined for shared transforms. */
  metric?: Metric;
  /** Explanation code of the column (shared by all columns of one shared transform). */
  code: number;
}

/**
 * The columns of a feature matrix, in order: transforms in catalog order, and
 * within a per-metric transform the metrics in the order given (the query's).
 */
export function featureColumns(metrics: readonly Metric[], transforms: readonly FeatureTransform[]): FeatureColumn[] {
  const columns: FeatureColumn[] = [];
  for (const spec of FEATURE_TRANSFORMS) {
    if (!transforms.includes(spec.id)) {
      continue;
    }
    if (spec.perMetric) {
      for (const metric of metrics) {
        columns.push({ transform: spec.id, metric, code: featureCode(spec.id, metric) });
      }
    } else {
      for (let i = 0; i < spec.columns; i++) {
        columns.push({ transform: spec.id, code: featureCode(spec.id) });
      }
    }
  }
  return columns;
}

/**
 * The number that names a feature in the `explanation` field of a frame:
 * 100 × the transform's code + the metric's position in {@link METRICS} (from
 * 1), or 100 × the transform's code alone for a shared transform. So 201 is
 * "temperature deviation" and 500 "time of day"; 0 is {@link NO_EXPLANATION}.
 */
export function featureCode(transform: FeatureTransform, metric?: Metric): number {
  const spec = FEATURE_TRANSFORMS.find((t) => t.id === transform);
  if (!spec) {
    throw new Error(`unknown feature transform "${transform}"`);
  }
  return 100 * spec.code + (spec.perMetric && metric !== undefined ? METRICS.indexOf(metric) + 1 : 0);
}

const TRANSFORM_LABEL_SUFFIX: Readonly<Record<FeatureTransform, string>> = {
  value: 'reading',
  deviation: 'deviation',
  spread: 'spread',
  rate: 'rate of change',
  roughness: 'roughness',
  daily_profile: 'unusual for the time of day',
  cross_residual: 'out of line with the other metrics',
  time_of_day: 'time of day',
};

/** What a frame's explanation code means, e.g. 201 → "temperature deviation"; unknown codes say so. */
export function featureLabel(code: number): string {
  if (code === NO_EXPLANATION) {
    return 'none';
  }
  const spec = FEATURE_TRANSFORMS.find((t) => t.code === Math.floor(code / 100));
  const metricIndex = code % 100;
  if (
    !spec ||
    !Number.isInteger(code) ||
    (spec.perMetric ? metricIndex < 1 || metricIndex > METRICS.length : metricIndex !== 0)
  ) {
    return `unknown feature ${code}`;
  }
  const suffix = TRANSFORM_LABEL_SUFFIX[spec.id];
  return spec.perMetric ? `${METRICS[metricIndex - 1]} ${suffix}` : suffix;
}

/** A Grafana value mapping (`MappingType.ValueToText`), spelled out so src/common needs no Grafana import. */
interface ValueToTextMapping {
  type: 'value';
  options: Record<string, { text: string; index: number }>;
}

/**
 * The value mappings that show explanation codes as text, for the field
 * config of an `explanation` field: every feature of the catalog (so a panel
 * decodes any model's codes), plus 0 → "none".
 */
export function explanationValueMappings(): ValueToTextMapping[] {
  const codes = [NO_EXPLANATION];
  for (const spec of FEATURE_TRANSFORMS) {
    if (spec.perMetric) {
      codes.push(...METRICS.map((metric) => featureCode(spec.id, metric)));
    } else {
      codes.push(featureCode(spec.id));
    }
  }
  const options: ValueToTextMapping['options'] = {};
  codes.forEach((code, index) => {
    options[String(code)] = { text: featureLabel(code), index };
  });
  return [{ type: 'value', options }];
}
