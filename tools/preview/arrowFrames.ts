/**
 * What Grafana's server does with a plugin's answer before the browser sees
 * it: each data frame arrives as an Arrow IPC file and leaves `/api/ds/query`
 * as data-frame JSON (the Go SDK's `FrameToJSON`). The preview and the browser
 * tests stand in for that server, so they decode the Arrow bytes here and
 * reuse the backend's own frame-JSON writer for the rest.
 */
import { type Data, tableFromIPC, Type, type Field as ArrowField } from 'apache-arrow';

import {
  type Field,
  type FieldConfig,
  type Frame,
  type FrameMeta,
  frameToJSON,
  type FrameJSON,
} from '../../src/backend/runtime/frames';

/** Decodes one Arrow IPC file as the backend's frame model. */
export function decodeArrowFrame(bytes: Uint8Array): Frame {
  const table = tableFromIPC(bytes);
  const metadata = table.schema.metadata;
  const meta = metadata.get('meta');
  const frame: Frame = {
    name: metadata.get('name') || undefined,
    refId: metadata.get('refId') || undefined,
    meta: meta ? (JSON.parse(meta) as FrameMeta) : undefined,
    fields: table.schema.fields.map((field, i) => decodeField(field, table.getChildAt(i)?.data ?? [], table.numRows)),
  };
  return frame;
}

/** Arrow IPC file → the JSON `/api/ds/query` returns for that frame. */
export function arrowToFrameJSON(bytes: Uint8Array): FrameJSON {
  return frameToJSON(decodeArrowFrame(bytes));
}

function decodeField(field: ArrowField, chunks: readonly Data[], length: number): Field {
  const labels = parseMetadata<Record<string, string>>(field, 'labels');
  const config = parseMetadata<FieldConfig>(field, 'config');
  const nulls = nullMask(chunks, length);
  const common = { name: field.name, labels, config, nulls, nullable: field.nullable };
  switch (field.type.typeId) {
    case Type.Timestamp:
      return { ...common, type: 'time', values: timeValues(chunks, length, field.type.unit as number) };
    case Type.Float:
    case Type.Int:
      return { ...common, type: 'number', values: Float64Array.from(valuesOf(chunks, length), Number) };
    case Type.Bool:
      return { ...common, type: 'boolean', values: Uint8Array.from(valuesOf(chunks, length), (v) => (v ? 1 : 0)) };
    case Type.Utf8:
      return { ...common, type: 'string', values: valuesOf(chunks, length).map((v) => (v === null ? '' : String(v))) };
    default:
      throw new Error(`field "${field.name}": Arrow type ${String(field.type)} is not one Grafana frames use`);
  }
}

function parseMetadata<T>(field: ArrowField, key: string): T | undefined {
  const text = field.metadata.get(key);
  return text ? (JSON.parse(text) as T) : undefined;
}

/** Row values across the column's chunks (apache-arrow turns int64 into bigint, timestamps into ms). */
function valuesOf(chunks: readonly Data[], length: number): unknown[] {
  const out: unknown[] = [];
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length; i++) {
      out.push(chunk.getValid(i) ? readValue(chunk, i) : null);
    }
  }
  return out.slice(0, length);
}

function readValue(chunk: Data, i: number): unknown {
  if (chunk.typeId === Type.Bool) {
    const bit = chunk.offset + i;
    return ((chunk.values as Uint8Array)[bit >> 3] >> (bit & 7)) & 1;
  }
  if (chunk.typeId === Type.Utf8) {
    const offsets = chunk.valueOffsets as Int32Array;
    return new TextDecoder().decode((chunk.values as Uint8Array).subarray(offsets[i], offsets[i + 1]));
  }
  return (chunk.values as ArrayLike<unknown>)[chunk.offset + i];
}

const NANOS_PER_UNIT = [1_000_000_000n, 1_000_000n, 1_000n, 1n];

/** Epoch milliseconds (with a sub-millisecond fraction) from int64 timestamps of any unit. */
function timeValues(chunks: readonly Data[], length: number, unit: number): Float64Array {
  const perUnit = NANOS_PER_UNIT[unit];
  const out = new Float64Array(length);
  valuesOf(chunks, length).forEach((value, row) => {
    if (value === null) {
      return;
    }
    const nanos = BigInt(value as bigint) * perUnit;
    out[row] = Number(nanos / 1_000_000n) + Number(nanos % 1_000_000n) / 1e6;
  });
  return out;
}

function nullMask(chunks: readonly Data[], length: number): Uint8Array | undefined {
  if (!chunks.some((chunk) => chunk.nullCount > 0)) {
    return undefined;
  }
  const mask = new Uint8Array(length);
  let row = 0;
  for (const chunk of chunks) {
    for (let i = 0; i < chunk.length && row < length; i++, row++) {
      mask[row] = chunk.getValid(i) ? 0 : 1;
    }
  }
  return mask;
}
