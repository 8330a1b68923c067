/**
 * Reading the backend's answers the way the tests check the panel against
 * them: straight from the `/api/ds/query` JSON the page received (not through
 * the panel's own code), so "markers drawn = readings flagged" compares two
 * independent things.
 */
import { type Page } from '@playwright/test';

import { FRAME_FIELDS, isFlagged } from '../../src/common/frames';
import type { HostState, RecordedRequest } from '../../tools/preview/host/contract';

interface FieldJSON {
  name: string;
  type: string;
  labels?: Record<string, string>;
  config?: { unit?: string; mappings?: Array<{ type: string; options: Record<string, { text?: string }> }> };
}

export interface FrameJSON {
  schema: { name?: string; fields: FieldJSON[] };
  /** `entities[field]` lists the rows whose value JSON cannot carry (`NaN`, `Inf`, `NegInf`): those hold null in `values`. */
  data: { values: unknown[][]; entities?: Array<Record<string, number[]> | null> };
}

interface QueryResultJSON {
  status?: number;
  error?: string;
  frames?: FrameJSON[];
}

/** A flagged reading as the frames describe it. */
export interface FlaggedReading {
  /** Index of the frame among those with an anomaly field (= the series' plot order). */
  series: number;
  /** The reading field's `sensor` label, else the frame's name. */
  sensor: string | undefined;
  time: number;
  value: number;
  score: number | undefined;
  /** The explanation's text through the field's value mappings; undefined when none. */
  explanation: string | undefined;
}

const SIDE_FIELDS = new Set<string>([
  FRAME_FIELDS.time,
  FRAME_FIELDS.flag,
  FRAME_FIELDS.score,
  FRAME_FIELDS.explanation,
]);

/** The `/api/ds/query` exchanges the page made, oldest first. */
export function queryExchanges(state: HostState): RecordedRequest[] {
  return state.requests.filter((r) => r.url.startsWith('/api/ds/query'));
}

/** The frames of refId `A` in the last `/api/ds/query` answer the page received. */
export async function lastFrames(page: Page): Promise<FrameJSON[]> {
  const exchanges = queryExchanges(await page.evaluate(() => window.__hostState));
  const last = exchanges[exchanges.length - 1];
  const result = (last?.body as { results?: Record<string, QueryResultJSON> } | undefined)?.results?.A;
  if (!result?.frames) {
    throw new Error(`no frames in the last /api/ds/query answer: ${JSON.stringify(last?.body).slice(0, 500)}`);
  }
  return result.frames;
}

/** The error the last `/api/ds/query` answer carried for refId `A`. */
export async function lastError(page: Page): Promise<string | undefined> {
  const exchanges = queryExchanges(await page.evaluate(() => window.__hostState));
  const body = exchanges[exchanges.length - 1]?.body as { results?: Record<string, QueryResultJSON> } | undefined;
  return body?.results?.A?.error;
}

/** Every flagged reading with a value inside [from, to], frame by frame. */
export function flaggedReadings(frames: FrameJSON[], from: number, to: number): FlaggedReading[] {
  const readings: FlaggedReading[] = [];
  frames
    .filter((frame) => column(frame, FRAME_FIELDS.flag) !== undefined)
    .forEach((frame, series) => {
      const time = column(frame, FRAME_FIELDS.time)!;
      const flag = column(frame, FRAME_FIELDS.flag)!;
      const score = column(frame, FRAME_FIELDS.score);
      const explanation = frame.schema.fields.findIndex((f) => f.name === FRAME_FIELDS.explanation);
      const valueIndex = frame.schema.fields.findIndex((f) => f.type === 'number' && !SIDE_FIELDS.has(f.name));
      const values = frame.data.values[valueIndex] ?? [];
      time.forEach((t, row) => {
        const value = values[row];
        if (isFlagged(flag[row]) && typeof value === 'number' && Number(t) >= from && Number(t) <= to) {
          readings.push({
            series,
            sensor: frame.schema.fields[valueIndex].labels?.sensor ?? frame.schema.name,
            time: Number(t),
            value,
            score: typeof score?.[row] === 'number' ? (score[row] as number) : undefined,
            explanation:
              explanation >= 0 ? mappedText(frame, explanation, frame.data.values[explanation][row]) : undefined,
          });
        }
      });
    });
  return readings;
}

function column(frame: FrameJSON, name: string): unknown[] | undefined {
  const index = frame.schema.fields.findIndex((f) => f.name === name);
  return index >= 0 ? frame.data.values[index] : undefined;
}

function mappedText(frame: FrameJSON, field: number, code: unknown): string | undefined {
  if (code === null || code === undefined || code === 0) {
    return undefined;
  }
  for (const mapping of frame.schema.fields[field].config?.mappings ?? []) {
    const text = mapping.type === 'value' ? mapping.options[String(code)]?.text : undefined;
    if (text) {
      return text;
    }
  }
  return String(code);
}
