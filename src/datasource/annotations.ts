import {
  type AnnotationEvent,
  type AnnotationQuery,
  type AnnotationSupport,
  type DataFrame,
  type Field,
  FieldType,
  MappingType,
} from '@grafana/data';
import { of } from 'rxjs';

import { FRAME_FIELDS, LABELS, NO_EXPLANATION, isFlagged } from '../common/frames';
import { DEFAULT_QUERY } from '../common/query';
import { AnnotationQueryEditor } from './AnnotationQueryEditor';
import { annotationTarget } from './queryValidation';
import type { AnomalyQuery } from './types';

/**
 * Anomalies as dashboard annotations through Grafana's standard backend path:
 * the annotation's query runs as an ordinary `anomalies` query (so the backend,
 * its validation and its model cache are the same as for panels) and only the
 * rows flagged anomalous become events.
 */
export const anomalyAnnotations: AnnotationSupport<AnomalyQuery> = {
  QueryEditor: AnnotationQueryEditor,
  getDefaultQuery: () => ({
    queryType: 'anomalies',
    sensors: [],
    metric: DEFAULT_QUERY.metric,
    model: DEFAULT_QUERY.model,
    contamination: DEFAULT_QUERY.contamination,
  }),
  prepareQuery(anno: AnnotationQuery<AnomalyQuery>): AnomalyQuery | undefined {
    if (!anno.target) {
      return undefined;
    }
    return annotationTarget(anno.target);
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
  const value = frame.fields.find((f) => f.type === FieldType.number && f !== score && f !== flag && f !== explanation);
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
      explanation ? explanationText(explanation, explanation.values[i]) : undefined,
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

/**
 * The explanation as text: the code through the field's value mappings (the
 * backend sends them with the frame), "explained by <feature>"; nothing for
 * "no explanation". Older frames carried the text itself.
 */
function explanationText(field: Field, code: unknown): string | undefined {
  if (code === NO_EXPLANATION || code === '' || code === null || code === undefined) {
    return undefined;
  }
  if (typeof code !== 'number') {
    return String(code);
  }
  return `explained by ${mappedText(field, code) ?? `feature ${code}`}`;
}

/** The text a value-to-text mapping of the field gives `value` (the kind the backend sends for explanations). */
function mappedText(field: Field, value: number): string | undefined {
  for (const mapping of field.config.mappings ?? []) {
    if (mapping.type === MappingType.ValueToText) {
      const text = mapping.options[String(value)]?.text;
      if (text !== undefined) {
        return text;
      }
    }
  }
  return undefined;
}

function sensorOf(frame: DataFrame, value: Field | undefined): string | undefined {
  return value?.labels?.[LABELS.sensor] ?? frame.name;
}

function formatNumber(value: unknown): string {
  return typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : String(value);
}
