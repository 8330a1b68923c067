/**
 * The detectors' parameter constraints, as data — like scikit-learn's
 * `_parameter_constraints` — the two small functions that read them (one
 * says whether a value is allowed, the other says in words what is) and the
 * sentence that rejects a value.
 *
 * A leaf: this file imports nothing, so the query model (src/common/query.ts)
 * builds its limits and messages from it too, and the editor, the backend and
 * the detectors cannot disagree on a limit or word it differently.
 */

/** An integer in [min, max]. */
export interface IntegerConstraint {
  kind: 'integer';
  min: number;
  max: number;
}

/** A number in an interval; each end open or closed. */
export interface IntervalConstraint {
  kind: 'interval';
  min: number;
  max: number;
  minInclusive: boolean;
  maxInclusive: boolean;
}

/**
 * A fraction in (0, 1] of some total (1 = all of it), or a whole count ≥ 2.
 * JSON cannot tell 1 from 1.0, so 1 is always the fraction. `what` names the
 * total ("readings", "features") in messages.
 */
interface CountOrFractionConstraint {
  kind: 'countOrFraction';
  what: string;
}

export type Constraint = IntegerConstraint | IntervalConstraint | CountOrFractionConstraint;

/** A parameter: its numeric constraint, the words it also accepts (e.g. "auto"), its detector default. */
export interface ParameterConstraint<D = number | string> {
  constraint: Constraint;
  alsoAllowed: readonly string[];
  default: D;
}

/**
 * Isolation Forest. `nEstimators` stops at 1,000: past a few hundred trees the
 * scores no longer change, while memory and scoring time keep growing with
 * every tree (1,000 trees of 256 samples are ~12 MB of JSON).
 */
export const ISOLATION_FOREST_CONSTRAINTS = {
  nEstimators: { constraint: { kind: 'integer', min: 1, max: 1000 }, alsoAllowed: [], default: 100 },
  maxSamples: { constraint: { kind: 'countOrFraction', what: 'readings' }, alsoAllowed: ['auto'], default: 'auto' },
  maxFeatures: { constraint: { kind: 'countOrFraction', what: 'features' }, alsoAllowed: [], default: 1 },
  contamination: {
    constraint: { kind: 'interval', min: 0, max: 0.5, minInclusive: false, maxInclusive: true },
    alsoAllowed: ['auto'],
    // On sensor data scikit-learn's 'auto' flags about a fifth of the readings: a 1 % percentile is the default.
    default: 0.01,
  },
  seed: { constraint: { kind: 'integer', min: 0, max: 4294967295 }, alsoAllowed: [], default: 42 },
} as const satisfies Record<string, ParameterConstraint>;

/** DBSCAN. eps is on standardized readings in this product, where 1,000 standard deviations is "everything". */
export const DBSCAN_CONSTRAINTS = {
  eps: {
    constraint: { kind: 'interval', min: 0, max: 1000, minInclusive: false, maxInclusive: true },
    alsoAllowed: [],
    default: 0.5,
  },
  minSamples: { constraint: { kind: 'integer', min: 1, max: 10000 }, alsoAllowed: [], default: 5 },
} as const satisfies Record<string, ParameterConstraint>;

/** Whether a number satisfies a constraint (words such as "auto" are checked by the caller). */
export function satisfies(constraint: Constraint, value: unknown): value is number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return false;
  }
  switch (constraint.kind) {
    case 'integer':
      return Number.isInteger(value) && value >= constraint.min && value <= constraint.max;
    case 'interval':
      return (
        (constraint.minInclusive ? value >= constraint.min : value > constraint.min) &&
        (constraint.maxInclusive ? value <= constraint.max : value < constraint.max)
      );
    case 'countOrFraction':
      return (value > 0 && value <= 1) || (Number.isInteger(value) && value >= 2);
  }
}

/**
 * What a parameter allows, in the words every error message uses:
 * `an integer from 1 to 1000`, `a number in (0, 0.5] or "auto"`,
 * `"auto", a fraction in (0, 1] (1 = all readings) or an integer ≥ 2`.
 * `maxCount` caps a count-or-fraction's counts (at most the features there are);
 * below 2 no count is allowed at all.
 */
export function describeAllowed(parameter: ParameterConstraint, options: { maxCount?: number } = {}): string {
  const words = parameter.alsoAllowed.map((w) => `"${w}"`);
  const c = parameter.constraint;
  switch (c.kind) {
    case 'integer':
      return withWords(`an integer from ${c.min} to ${c.max}`, words);
    case 'interval':
      return withWords(
        `a number in ${c.minInclusive ? '[' : '('}${c.min}, ${c.max}${c.maxInclusive ? ']' : ')'}`,
        words
      );
    case 'countOrFraction': {
      const { maxCount = Infinity } = options;
      const counts =
        maxCount === Infinity ? ' or an integer ≥ 2' : maxCount >= 2 ? ` or an integer from 2 to ${maxCount}` : '';
      const prefix = words.length > 0 ? `${words.join(', ')}, ` : '';
      return `${prefix}a fraction in (0, 1] (1 = all ${c.what})${counts}`;
    }
  }
}

function withWords(text: string, words: string[]): string {
  return words.length > 0 ? `${text} or ${words.join(' or ')}` : text;
}

/**
 * The sentence every rejected value gets, from the detectors and the query
 * model alike: `contamination: must be a number in (0, 0.5] or "auto" (got 0.7)`.
 */
export function mustBe(name: string, allowed: string, got: unknown): string {
  return `${name}: must be ${allowed} (got ${describeGot(got)})`;
}

function describeGot(value: unknown): string {
  if (value === undefined) {
    return 'nothing';
  }
  if (typeof value === 'number') {
    return String(value); // JSON.stringify would print NaN and Infinity as null
  }
  const text = JSON.stringify(value);
  if (text === undefined) {
    return String(value); // a function or a symbol
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
