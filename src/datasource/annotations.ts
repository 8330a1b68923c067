import {
  type AnnotationEvent,
  type AnnotationQuery,
  type AnnotationSupport,
  type DataFrame,
  type Field,
  FieldType,
} from '@grafana/data';
import { of } from 'rxjs';

import { FRAME_FIELDS, isFlagged } from '../common/frames';
import type { AnomalyQuery } from './types';

/**
 * Anomalies as dashboard annotations through Grafana's standard backend path:
 * the annotation's query runs as an ordinary `anomalies` query (so the backend,
 * its validation and its model cache are the same as for panels) and only the
 * rows flagged anomalous become events.
 */
export const anomalyAnnotations: AnnotationSupport<AnomalyQuery> = {
  prepareQuery(anno: AnnotationQuery<AnomalyQuery>): AnomalyQuery | undefined {
    if (!anno.target) {
      return undefined;
    }
    return { ...anno.target, queryType: 'anomalies' };
  },
  processEvents(_anno, frames) {
    return of(frames.flatMap(anomalyEvents));
  },
};

/** One event per anomalous reading of an `anomalies` frame; frames without the fields yield none. */
export function anomalyEvents(frame: DataFrame): AnnotationEvent[] {
  const time = frame.fields.find((f) => f.type === FieldType.time);
  const flag = frame.fields.find((f) => f.name === FRAME_FIELDS.flag);
  if (!time || !flag) {
    return [];
  }
  const score = frame.fields.find((f) => f.name === FRAME_FIELDS.score);
  const explanation = frame.fields.find((f) => f.name === FRAME_FIELDS.explanation);
  const value = frame.fields.find((f) => f.type === FieldType.number && f !== score && f !== flag);
  const sensor = sensorOf(frame, value);
  const events: AnnotationEvent[] = [];
  for (let i = 0; i < frame.length; i++) {
    if (!isFlagged(flag.values[i])) {
      continue;
    }
    const parts = [
      sensor ? `Anomaly on ${sensor}` : 'Anomaly',
      value ? `${value.name} = ${formatNumber(value.values[i])}` : undefined,
      score ? `score ${formatNumber(score.values[i])}` : undefined,
      explanation?.values[i] ? String(explanation.values[i]) : undefined,
    ];
    events.push({
      time: Number(time.values[i]),
      title: parts[0],
      text: parts.filter(Boolean).join(' · '),
      tags: sensor ? ['anomaly', sensor] : ['anomaly'],
    });
  }
  return events;
}

function sensorOf(frame: DataFrame, value: Field | undefined): string | undefined {
  return value?.labels?.sensor ?? frame.name;
}

function formatNumber(value: unknown): string {
  return typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : String(value);
}
