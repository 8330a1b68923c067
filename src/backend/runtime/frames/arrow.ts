import {
  Bool,
  Field as ArrowField,
  Float64,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableToIPC,
  TimestampNanosecond,
  Utf8,
  type Data,
  type DataType,
} from 'apache-arrow';

import { forEachTime, frameLength, isNullable, isNullAt, type Field, type Frame, type TimeFieldData } from './frame';
import { frameMetaJSON, TS_TYPE } from './meta';

/**
 * Encodes one frame as one Arrow IPC *file* — the only container Grafana's Go
 * decoder (data.UnmarshalArrowFrame) accepts. Every rule of
 * docs/grafana-plugin-protocol.md §5 is applied explicitly rather than left to
 * apache-arrow's inference: nanosecond timestamps without a time zone, plain
 * Utf8 strings (never dictionary), explicit nullable flags, schema metadata
 * `name`/`refId`/`meta` and field metadata `labels`/`config`/`tstype`.
 */
export function encodeFrame(frame: Frame, refId = frame.refId ?? ''): Uint8Array {
  const length = frameLength(frame);
  const fields = frame.fields.map(arrowField);
  const schema = new Schema(fields, schemaMetadata(frame, refId));
  if (fields.length === 0) {
    // A field-less frame: a valid file with the schema and no record batch.
    return tableToIPC(new Table(schema), 'file');
  }
  const children = frame.fields.map((field, i) => columnData(field, fields[i]!.type, length));
  const struct = makeData({ type: new Struct(fields), length, nullCount: 0, children });
  return tableToIPC(new Table(schema, [new RecordBatch(schema, struct)]), 'file');
}

function schemaMetadata(frame: Frame, refId: string): Map<string, string> {
  const metadata = new Map<string, string>([
    ['name', frame.name ?? ''],
    ['refId', refId],
  ]);
  if (frame.meta) {
    metadata.set('meta', JSON.stringify(frameMetaJSON(frame.meta)));
  }
  return metadata;
}

function arrowType(field: Field): DataType {
  switch (field.type) {
    case 'time':
      return new TimestampNanosecond(null);
    case 'number':
      return new Float64();
    case 'string':
      return new Utf8();
    case 'boolean':
      return new Bool();
  }
}

function arrowField(field: Field): ArrowField {
  const metadata = new Map<string, string>([['tstype', TS_TYPE[field.type]]]);
  if (field.labels && Object.keys(field.labels).length > 0) {
    metadata.set('labels', JSON.stringify(field.labels));
  }
  if (field.config && Object.keys(field.config).length > 0) {
    metadata.set('config', JSON.stringify(field.config));
  }
  return new ArrowField(field.name, arrowType(field), isNullable(field), metadata);
}

/** Arrow validity bitmap (bit set = valid, LSB first) and the null count. */
function validity(field: Field, length: number): { nullBitmap: Uint8Array | undefined; nullCount: number } {
  if (!field.nulls) {
    return { nullBitmap: undefined, nullCount: 0 };
  }
  const bitmap = new Uint8Array(Math.ceil(length / 8));
  let nullCount = 0;
  for (let row = 0; row < length; row++) {
    if (isNullAt(field, row)) {
      nullCount++;
    } else {
      bitmap[row >> 3]! |= 1 << (row & 7);
    }
  }
  return { nullBitmap: nullCount > 0 ? bitmap : undefined, nullCount };
}

function columnData(field: Field, type: DataType, length: number): Data {
  const { nullBitmap, nullCount } = validity(field, length);
  const common = { type, length, nullCount, nullBitmap } as const;
  switch (field.type) {
    case 'time':
      return makeData({ ...common, type: type as TimestampNanosecond, data: epochMsToNanos(field) });
    case 'number':
      return makeData({ ...common, type: type as Float64, data: field.values });
    case 'string': {
      const { valueOffsets, data } = utf8Column(field.values, field);
      return makeData({ ...common, type: type as Utf8, valueOffsets, data });
    }
    case 'boolean':
      return makeData({ ...common, type: type as Bool, data: packBits(field.values) });
  }
}

const NANOS_PER_MS = 1_000_000n;

/**
 * Epoch ms (float, fraction = sub-ms) → int64 ns. Whole milliseconds go through
 * BigInt so they stay exact (ms × 1e6 exceeds 2^53 as a double); the fraction
 * is rounded to whole microseconds, the precision a double actually holds
 * (see TimeFieldData). Nulls are written as 0; their validity bit says null.
 */
export function epochMsToNanos(field: TimeFieldData): BigInt64Array {
  const out = new BigInt64Array(field.values.length);
  forEachTime(field, (row, wholeMs, nanos) => {
    out[row] = BigInt(wholeMs) * NANOS_PER_MS + BigInt(nanos);
  });
  return out;
}

const utf8 = new TextEncoder();

function utf8Column(values: readonly string[], field: Field): { valueOffsets: Int32Array; data: Uint8Array } {
  const encoded = values.map((value, row) => (isNullAt(field, row) ? new Uint8Array(0) : utf8.encode(value ?? '')));
  const valueOffsets = new Int32Array(values.length + 1);
  for (let row = 0; row < encoded.length; row++) {
    valueOffsets[row + 1] = valueOffsets[row]! + encoded[row]!.length;
  }
  const data = new Uint8Array(valueOffsets[values.length]!);
  encoded.forEach((bytes, row) => data.set(bytes, valueOffsets[row]!));
  return { valueOffsets, data };
}

function packBits(values: Uint8Array): Uint8Array {
  const bits = new Uint8Array(Math.ceil(values.length / 8));
  for (let row = 0; row < values.length; row++) {
    if (values[row] !== 0) {
      bits[row >> 3]! |= 1 << (row & 7);
    }
  }
  return bits;
}
