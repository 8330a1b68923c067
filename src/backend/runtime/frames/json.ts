import { forEachTime, frameLength, isNullable, isNullAt, type Field, type Frame, type TimeFieldData } from './frame';
import { frameMetaJSON, TS_TYPE } from './meta';

/**
 * Frame JSON as the Go SDK's data.FrameToJSON writes it
 * (docs/grafana-plugin-protocol.md §5.8): Grafana Live publishes StreamPacket
 * data verbatim, and the frontend reads exactly this shape.
 *
 * - columns are column-major `data.values`;
 * - time values are epoch milliseconds, sub-ms remainders in `data.nanos`;
 * - NaN/±Inf are written as null and listed in `data.entities`.
 */

export type FrameJSONInclude = 'all' | 'schema' | 'data';

/** Go item type names (`typeInfo.frame`). */
const GO_TYPE: Readonly<Record<Field['type'], string>> = {
  time: 'time.Time',
  number: 'float64',
  string: 'string',
  boolean: 'bool',
};

interface FieldSchemaJSON {
  name?: string;
  type: string;
  typeInfo: { frame: string; nullable?: true };
  labels?: Record<string, string>;
  config?: Record<string, unknown>;
}

interface FrameSchemaJSON {
  name?: string;
  refId?: string;
  meta?: Record<string, unknown>;
  fields: FieldSchemaJSON[];
}

interface FieldEntities {
  NaN?: number[];
  Inf?: number[];
  NegInf?: number[];
}

interface FrameDataJSON {
  values: unknown[][];
  entities?: Array<FieldEntities | null>;
  nanos?: Array<number[] | null>;
}

export interface FrameJSON {
  schema?: FrameSchemaJSON;
  data?: FrameDataJSON;
}

export function frameToJSON(frame: Frame, include: FrameJSONInclude = 'all'): FrameJSON {
  const out: FrameJSON = {};
  if (include !== 'data') {
    out.schema = frameSchemaJSON(frame);
  }
  if (include !== 'schema') {
    out.data = frameDataJSON(frame);
  }
  return out;
}

function frameSchemaJSON(frame: Frame): FrameSchemaJSON {
  const schema: FrameSchemaJSON = { fields: frame.fields.map(fieldSchemaJSON) };
  if (frame.name) {
    schema.name = frame.name;
  }
  if (frame.refId) {
    schema.refId = frame.refId;
  }
  if (frame.meta) {
    schema.meta = frameMetaJSON(frame.meta);
  }
  // Key order as the Go SDK writes it: name, refId, meta, fields.
  const { fields, ...head } = schema;
  return { ...head, fields };
}

function fieldSchemaJSON(field: Field): FieldSchemaJSON {
  const schema: FieldSchemaJSON = { type: TS_TYPE[field.type], typeInfo: { frame: GO_TYPE[field.type] } };
  if (field.name) {
    schema.name = field.name;
  }
  if (isNullable(field)) {
    schema.typeInfo.nullable = true;
  }
  if (field.labels && Object.keys(field.labels).length > 0) {
    schema.labels = { ...field.labels };
  }
  if (field.config && Object.keys(field.config).length > 0) {
    schema.config = { ...field.config };
  }
  const { name, ...rest } = schema;
  return name === undefined ? rest : { name, ...rest };
}

interface ColumnJSON {
  values: unknown[];
  entities: FieldEntities | null;
  nanos: number[] | null;
}

function frameDataJSON(frame: Frame): FrameDataJSON {
  const length = frameLength(frame);
  const columns = frame.fields.map((field) => columnJSON(field, length));
  const data: FrameDataJSON = { values: columns.map((c) => c.values) };
  if (columns.some((c) => c.entities !== null)) {
    data.entities = columns.map((c) => c.entities);
  }
  if (columns.some((c) => c.nanos !== null)) {
    data.nanos = columns.map((c) => c.nanos);
  }
  return data;
}

function columnJSON(field: Field, length: number): ColumnJSON {
  switch (field.type) {
    case 'time':
      return timeColumnJSON(field, length);
    case 'number':
      return numberColumnJSON(field.values, field, length);
    case 'string':
      return plainColumnJSON(field, length, (row) => field.values[row]);
    case 'boolean':
      return plainColumnJSON(field, length, (row) => field.values[row] !== 0);
  }
}

function plainColumnJSON(field: Field, length: number, valueAt: (row: number) => unknown): ColumnJSON {
  const values = new Array<unknown>(length);
  for (let row = 0; row < length; row++) {
    values[row] = isNullAt(field, row) ? null : valueAt(row);
  }
  return { values, entities: null, nanos: null };
}

function timeColumnJSON(field: TimeFieldData, length: number): ColumnJSON {
  const values = new Array<number | null>(length).fill(null);
  const nanos = new Array<number>(length).fill(0);
  let anyNanos = false;
  forEachTime(field, (row, wholeMs, remainder) => {
    values[row] = wholeMs;
    nanos[row] = remainder;
    anyNanos ||= remainder !== 0;
  });
  return { values, entities: null, nanos: anyNanos ? nanos : null };
}

function numberColumnJSON(numbers: Float64Array, field: Field, length: number): ColumnJSON {
  const values = new Array<number | null>(length);
  const entities: Required<FieldEntities> = { NaN: [], Inf: [], NegInf: [] };
  for (let row = 0; row < length; row++) {
    const value = numbers[row]!;
    if (isNullAt(field, row)) {
      values[row] = null;
    } else if (Number.isFinite(value)) {
      values[row] = value;
    } else {
      values[row] = null;
      (Number.isNaN(value) ? entities.NaN : value > 0 ? entities.Inf : entities.NegInf).push(row);
    }
  }
  return { values, entities: compactEntities(entities), nanos: null };
}

function compactEntities(entities: Required<FieldEntities>): FieldEntities | null {
  const out: FieldEntities = {};
  for (const key of ['NaN', 'Inf', 'NegInf'] as const) {
    if (entities[key].length > 0) {
      out[key] = entities[key];
    }
  }
  return Object.keys(out).length > 0 ? out : null;
}
