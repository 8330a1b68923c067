/**
 * The anomalies topic's message for one scored reading: what a Live stream
 * publishes (with `kafkaPublishAnomalies`) and what the Kafka scoring worker
 * produces, so a consumer cannot tell them apart but by `source`.
 */
import { featureLabel } from '../../common/features';
import type { AnomalyMessage } from '../sources/kafkaAnomalies';
import type { ScoredReadings, SensorScorer } from './sensorScorer';

/** Reading `i` of a batch the scorer scored (`scored.scored[i]` = 1). */
export function anomalyMessage(
  scorer: SensorScorer,
  scored: ScoredReadings,
  i: number,
  source: AnomalyMessage['source']
): AnomalyMessage {
  const readings: AnomalyMessage['readings'] = {};
  for (const metric of scorer.model.spec.metrics) {
    const v = scored.values[metric][i]!;
    readings[metric] = Number.isFinite(v) ? v : null;
  }
  const code = scored.explanation[i]!;
  return {
    version: 1,
    sensor: scorer.sensorId,
    time: new Date(scored.time[i]!).toISOString(),
    timeMs: scored.time[i]!,
    readings,
    score: scored.score[i]!,
    threshold: scored.threshold,
    anomaly: scored.flag[i] === 1 ? 1 : 0,
    model: scorer.modelKey,
    feature: { code, label: featureLabel(code) },
    source,
  };
}
