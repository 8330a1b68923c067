/**
 * docs/quality.md from the quality run's results: tables per anomaly kind,
 * then what met the target and what did not, in words generated from the
 * numbers (so the text cannot claim what the tables do not show).
 */
import { featureLabel } from '../../src/common/features';
import { METRICS } from '../../src/common/query';
import type { DataPlan } from './data';
import type { ScoredRows } from './evaluate';
import { HELD_OUT_DESCRIPTIONS, HELD_OUT_KINDS, type InjectionPlan } from './faults';
import { kindQuality, overallQuality, rankOrder, type KindQuality } from './metrics';

export const AUC_TARGET = 0.9;

export interface Variant {
  name: string;
  rows: ScoredRows;
}

/** Flags on clean live data (no anomalies at all): what a lab sees on an ordinary day. */
export interface CleanResult {
  name: string;
  rows: ScoredRows;
}

export interface QualityResults {
  plan: DataPlan;
  injection: InjectionPlan;
  kinds: readonly string[];
  /** Simulator kinds: every variant on the same live data. */
  simulator: Variant[];
  /** Held-out kinds: every variant on clean live data with injected faults. */
  heldOut: Variant[];
  /** The variant the target is about (Isolation Forest, default features). */
  targetVariant: string;
  parameters: string;
  /** The threshold's promise: this share of clean readings flagged. */
  contamination: number;
  /** How long after the start of the data or a pause readings get no row. */
  coverageMinutes: number;
  clean: CleanResult[];
}

/** Each variant's scores, sorted once for all the AUCs asked of them. */
const orders = new WeakMap<ScoredRows, Uint32Array>();
function orderOf(rows: ScoredRows): Uint32Array {
  let order = orders.get(rows);
  if (!order) {
    order = rankOrder(rows.score);
    orders.set(rows, order);
  }
  return order;
}

function quality(rows: ScoredRows, labels: ArrayLike<number>, kind: number): KindQuality {
  return kindQuality(labels, rows.score, rows.flag, kind, orderOf(rows));
}

const pct = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '–');
/** Two decimals: the shares of clean readings flagged are small. */
const pct2 = (x: number) => (Number.isFinite(x) ? `${(100 * x).toFixed(2)} %` : '–');
const num = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : '–');
const int = (x: number) => x.toLocaleString('en-US');

function qualities(rows: ScoredRows, kinds: readonly string[]): KindQuality[] {
  return kinds.map((_, k) => quality(rows, rows.labels, k + 1));
}

function aucTable(variants: Variant[], kinds: readonly string[]): string[] {
  const q = variants.map((v) => qualities(v.rows, kinds));
  return [
    `| Kind | Readings | ${variants.map((v) => v.name).join(' | ')} |`,
    `| --- | ---: | ${variants.map(() => '---:').join(' | ')} |`,
    ...kinds.map(
      (kind, k) => `| ${kind} | ${int(q[0]![k]!.positives)} | ${q.map((vq) => num(vq[k]!.auc)).join(' | ')} |`
    ),
  ];
}

function flagTable(variants: Variant[], kinds: readonly string[]): string[] {
  return [
    `| Kind | ${variants.map((v) => `${v.name}: recall / precision`).join(' | ')} |`,
    `| --- | ${variants.map(() => '---').join(' | ')} |`,
    ...kinds.map((kind, k) => {
      const cells = variants.map((v) => {
        const q = quality(v.rows, v.rows.labels, k + 1);
        return `${pct(q.recall)} / ${pct(q.precision)}`;
      });
      return `| ${kind} | ${cells.join(' | ')} |`;
    }),
  ];
}

function overallTable(variants: Variant[]): string[] {
  return [
    '| Variant | Readings scored | Not scored (warming up, gaps) | Flagged | Precision | Recall |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...variants.map((v) => {
      const o = overallQuality(v.rows.labels, v.rows.flag);
      const notScored = v.rows.readings - v.rows.labels.length;
      return `| ${v.name} | ${int(v.rows.labels.length)} | ${int(notScored)} | ${pct(o.flaggedShare)} | ${pct(o.precision)} | ${pct(o.recall)} |`;
    }),
  ];
}

/** AUC of each kind on each metric it hit (kind readings on that metric vs all normal readings). */
function metricTable(rows: ScoredRows, kinds: readonly string[]): string[] {
  const lines = [`| Kind | ${METRICS.join(' | ')} |`, `| --- | ${METRICS.map(() => '---:').join(' | ')} |`];
  kinds.forEach((kind, k) => {
    const cells = METRICS.map((_, m) => {
      const labels = Uint8Array.from(rows.labels, (l, i) => (l === k + 1 && rows.metricOf[i] !== m ? 255 : l));
      const q = quality(rows, labels, k + 1);
      return q.positives > 0 ? `${num(q.auc)} (${int(q.positives)})` : '';
    });
    lines.push(`| ${kind} | ${cells.join(' | ')} |`);
  });
  return lines;
}

/** AUC of each kind's readings by the quarter of its episode they fall in (against all normal readings). */
function progressTable(rows: ScoredRows, kinds: readonly string[]): string[] {
  const quarters = [0, 1, 2, 3];
  const lines = [
    '| Kind | 1st quarter | 2nd quarter | 3rd quarter | 4th quarter |',
    '| --- | ---: | ---: | ---: | ---: |',
  ];
  kinds.forEach((kind, k) => {
    const cells = quarters.map((quarter) => {
      const labels = Uint8Array.from(rows.labels, (l, i) =>
        l === k + 1 && Math.min(3, Math.floor(4 * rows.progress[i]!)) !== quarter ? 255 : l
      );
      const q = quality(rows, labels, k + 1);
      return q.positives > 0 ? num(q.auc) : '–';
    });
    lines.push(`| ${kind} | ${cells.join(' | ')} |`);
  });
  return lines;
}

/** Of the flagged readings of each kind, the share whose explanation names the metric the fault was on. */
function explanationTable(rows: ScoredRows, kinds: readonly string[]): string[] {
  const lines = [
    '| Kind | Flagged | Explanation names the faulty metric | Most frequent explanation |',
    '| --- | ---: | ---: | --- |',
  ];
  kinds.forEach((kind, k) => {
    let flagged = 0;
    let right = 0;
    const byCode = new Map<number, number>();
    for (let i = 0; i < rows.labels.length; i++) {
      if (rows.labels[i] === k + 1 && rows.flag[i] === 1) {
        flagged++;
        right += rows.explanation[i]! % 100 === rows.metricOf[i]! + 1 ? 1 : 0;
        byCode.set(rows.explanation[i]!, (byCode.get(rows.explanation[i]!) ?? 0) + 1);
      }
    }
    const top = [...byCode.entries()].sort((a, b) => b[1] - a[1])[0];
    lines.push(
      `| ${kind} | ${int(flagged)} | ${flagged > 0 ? pct(right / flagged) : '–'} | ${top ? `${featureLabel(top[0])} (${pct(top[1] / flagged)})` : '–'} |`
    );
  });
  return lines;
}

function targetVerdict(results: QualityResults): string[] {
  const variant = results.simulator.find((v) => v.name === results.targetVariant)!;
  const q = qualities(variant.rows, results.kinds);
  const met = results.kinds.filter((_, k) => q[k]!.auc >= AUC_TARGET);
  const missed = results.kinds.filter((_, k) => !(q[k]!.auc >= AUC_TARGET));
  const lines = [
    `Target: ROC-AUC ≥ ${AUC_TARGET} for every simulator kind with ${results.targetVariant}.`,
    '',
    `- Met (${met.length} of ${results.kinds.length}): ${met.map((k) => `${k} ${num(q[results.kinds.indexOf(k)]!.auc)}`).join(', ') || 'none'}.`,
  ];
  if (missed.length > 0) {
    lines.push(
      `- **Missed**: ${missed.map((k) => `${k} ${num(q[results.kinds.indexOf(k)]!.auc)}`).join(', ')}. See "Limits" below.`
    );
  }
  const spike = results.kinds.indexOf('spike');
  if (spike >= 0) {
    const flagged = results.simulator
      .filter((v) => v.name.startsWith('IF'))
      .map((v) => `${v.name} ${pct(quality(v.rows, v.rows.labels, spike + 1).recall)}`);
    lines.push(`- Spikes flagged at contamination ${results.contamination}: ${flagged.join(', ')}.`);
  }
  const clean = results.clean.map((c) => `${c.name} ${pct2(overallQuality(c.rows.labels, c.rows.flag).flaggedShare)}`);
  if (clean.length > 0) {
    lines.push(`- Clean readings flagged (no anomaly at all, see "Clean data"): ${clean.join(', ')}.`);
  }
  return lines;
}

function cleanTable(results: QualityResults): string[] {
  const share = (c: CleanResult, keep: (i: number) => boolean) => {
    let flagged = 0;
    let rows = 0;
    for (let i = 0; i < c.rows.flag.length; i++) {
      if (keep(i)) {
        rows++;
        flagged += c.rows.flag[i]!;
      }
    }
    return `${pct2(rows > 0 ? flagged / rows : NaN)} of ${int(rows)}`;
  };
  return [
    '| Variant | Flagged | Within an hour of a start or a pause | Later |',
    '| --- | ---: | ---: | ---: |',
    ...results.clean.map(
      (c) =>
        `| ${c.name} | ${share(c, () => true)} | ${share(c, (i) => c.rows.afterStart[i] === 1)} | ${share(c, (i) => c.rows.afterStart[i] === 0)} |`
    ),
  ];
}

export function renderReport(results: QualityResults): string {
  const { plan, injection, kinds } = results;
  const target = results.simulator.find((v) => v.name === results.targetVariant)!;
  return [
    '# Detection quality',
    '',
    'Written by `npm run quality` (tools/quality/) — do not edit by hand; every number below comes from',
    'that run, which is deterministic (same seed, same numbers).',
    '',
    '## Data',
    '',
    `- ${plan.sensors} simulated sensors (tools/simulator, seed ${plan.seed}), each one continuous signal:`,
    `  ${int(plan.historyRows)} history readings one every ${plan.historyIntervalMs / 1000} s (the S3 training CSV, about ${Math.round((plan.historyRows * plan.historyIntervalMs) / 86_400_000)} days),`,
    `  then ${plan.liveDays} live days one every ${plan.liveIntervalMs / 1000} s ± ${plan.liveJitterMs / 1000} s, with a pause of`,
    `  ${plan.pauseMs[0] / 60_000}–${plan.pauseMs[1] / 60_000} min about every ${Math.round((1 / plan.pauseChance) * (plan.liveIntervalMs / 3_600_000))} hours.`,
    `- Anomaly episodes: ${plan.anomaliesPerDay.history} per sensor and day in the history (the simulator's default; the models`,
    `  train on data that holds anomalies, as they would in a lab), ${plan.anomaliesPerDay.live} per day in the live days, for more episodes`,
    '  to judge. Every reading of an episode is labelled with its kind; precision is therefore higher here than',
    "  at a lab's real anomaly rate.",
    '',
    '## Method',
    '',
    `- ${results.parameters}`,
    '- ROC-AUC of a kind: its readings against the normal readings, readings of other kinds left out, ranked by',
    '  `anomaly_score`. 1 = every reading of the kind scores above every normal reading; 0.5 = chance.',
    "- Recall and precision: of the model's own 0/1 `anomaly` flags (the threshold contamination sets, and the",
    "  range guard), the share of the kind's readings flagged, and the share of the flagged kind-or-normal readings",
    "  that are the kind's.",
    `- Readings the features cannot score yet (the first ${results.coverageMinutes} minutes after the start of the data or a long`,
    '  pause) are counted as not scored, not as misses.',
    '',
    '## Simulator kinds',
    '',
    ...targetVerdict(results),
    '',
    '### ROC-AUC',
    '',
    ...aucTable(results.simulator, kinds),
    '',
    '### Flags at the threshold',
    '',
    ...flagTable(results.simulator, kinds),
    '',
    ...overallTable(results.simulator),
    '',
    `### ${results.targetVariant}: ROC-AUC by the metric the fault was on`,
    '',
    ...metricTable(target.rows, kinds),
    '',
    `### ${results.targetVariant}: ROC-AUC by quarter of the episode`,
    '',
    'Episodes that last (drift, stuck, dropout, inconsistent) split into quarters of their duration; a spike is one reading.',
    '',
    ...progressTable(target.rows, kinds),
    '',
    `### ${results.targetVariant}: what the explanations say`,
    '',
    ...explanationTable(target.rows, kinds),
    '',
    '## Clean data',
    '',
    `The held-out simulation's live days before any fault is injected: ${int(results.clean[0]?.rows.labels.length ?? 0)} readings with no anomaly at all.`,
    `With contamination ${results.contamination} the threshold promises about ${pct(results.contamination)} of readings like the training data;`,
    'the training history holds anomalies, so the threshold sits among them and ordinary days are flagged less.',
    'The range guard trips on a reading only far outside the training data (src/backend/scoring/guard.ts).',
    '',
    ...cleanTable(results),
    '',
    '## Held-out kinds (not in the simulator)',
    '',
    'Injected by the quality run into a second simulation with no simulator anomalies in its live days',
    `(seed ${plan.seed + 1}), ${injection.episodesPerKind} episodes of each kind per sensor, ${injection.durationMin[0]}–${injection.durationMin[1]} min each, on`,
    'temperature, humidity or pressure. **The features were not tuned to these kinds**: their shapes and',
    'sizes were fixed before the first run. The feature set was chosen on the simulator kinds, except one',
    'general statistic added after these were first measured (`roughness`, the minute-to-minute changes; its',
    'window and form were not varied to fit these kinds: docs/features.md, "Why this default").',
    "Sizes are in units of `hourScale`, the robust spread of the sensor's own one-hour change in its history.",
    '',
    ...HELD_OUT_KINDS.map((k) => `- ${k}: ${HELD_OUT_DESCRIPTIONS[k]}.`),
    '',
    ...aucTable(results.heldOut, HELD_OUT_KINDS),
    '',
    ...flagTable(results.heldOut, HELD_OUT_KINDS),
    '',
    ...overallTable(results.heldOut),
    '',
    '## Limits',
    '',
    '- **drift** starts at a quarter of its size and ramps to its full size over one to three hours. Early on it is',
    '  a step and a slope within what weather does in an hour; its readings rank better as the offset grows',
    '  (the table by quarter of the episode above).',
    '- **stuck** is seen by the short-window spread and the roughness, two columns among the five of its metric;',
    '  the first minutes of an episode still hold moving readings in their windows.',
    '- **step** (held out) is seen by `deviation` and `rate` for about an hour after it starts; later the last',
    '  hour holds the new level, and only the daily profile can tell, when the step is large against how much',
    '  one day differs from the next.',
    '- Few readings of the collective kinds are flagged at contamination 0.01 when the training history itself',
    '  holds anomalies at several percent of its readings (as here): the threshold then sits among those. A higher',
    '  contamination flags more; the ROC-AUC does not depend on it. Readings far outside the training data (spikes,',
    '  dropouts) are flagged by the range guard whatever the threshold.',
    '- **DBSCAN** on a day of readings calls dense groups normal. A stuck sensor, a drift or a dropout that lasts',
    '  long enough forms a dense group of its own, so it ranks as normal or more (AUC near or below 0.5); DBSCAN',
    '  finds isolated readings (spikes), and is no substitute for a model trained on history for collective faults.',
    '- **decorrelation** (held out) keeps each metric within its usual behaviour; only the relation between',
    '  metrics breaks. The per-metric forests do not see it; the `cross_residual` transform (in custom sets, not in',
    '  the default) measures it: see "IF default + cross_residual".',
    '',
  ].join('\n');
}
