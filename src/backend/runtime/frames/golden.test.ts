import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { encodeFrame } from './arrow';
import { booleanField, numberField, stringField, timeField, type Frame } from './frame';
import { frameToJSON } from './json';

/**
 * Golden files: the exact bytes and JSON one representative frame encodes to.
 * Any change in the encoders or in apache-arrow's writer shows up here as a
 * diff to review (and to re-run through tests/conformance against the Go SDK).
 * Regenerate with UPDATE_GOLDEN=1 npx jest src/backend/runtime/frames/golden.test.ts.
 */

const DIR = join(__dirname, 'testdata');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function goldenFrame(): Frame {
  const t0 = 1_700_000_000_000;
  return {
    name: 'sensmitter_1',
    refId: 'A',
    meta: {
      type: 'timeseries-multi',
      typeVersion: [0, 1],
      notices: [{ severity: 'warning', text: 'read capped at 200000 items' }],
      custom: { model: 'isolation_forest' },
    },
    fields: [
      timeField('time', Float64Array.of(t0, t0 + 1000.5, t0 + 2000)),
      numberField('temperature', Float64Array.of(21.5, Number.NaN, Number.NEGATIVE_INFINITY), {
        labels: { sensor: 'sensmitter_1' },
        config: { unit: 'celsius', decimals: 1 },
        nulls: Uint8Array.of(0, 0, 0),
      }),
      numberField('anomaly_score', Float64Array.of(0.1, 0, 0.9), { nulls: Uint8Array.of(0, 1, 0) }),
      stringField('note', ['', 'Grüße', 'ok']),
      booleanField('anomaly', Uint8Array.of(0, 0, 1)),
    ],
  };
}

function compare(file: string, actual: Buffer): void {
  const path = join(DIR, file);
  if (UPDATE) {
    writeFileSync(path, actual);
  }
  expect(actual.equals(readFileSync(path))).toBe(true);
}

test('Arrow IPC file bytes match the golden file', () => {
  compare('all_types.golden.arrow', Buffer.from(encodeFrame(goldenFrame())));
});

/**
 * all_types.go-sdk.json is what the Grafana plugin SDK (Go, v0.2xx via
 * tests/conformance's go.mod) printed for all_types.golden.arrow with
 * data.UnmarshalArrowFrame + data.FrameToJSON: the Go decoder read every type,
 * null, NaN/-Inf, label, config and meta key of our file, and its JSON equals
 * ours (key order aside). Regenerate it with that Go program after changing
 * the golden frame.
 */
test('the Go SDK decodes the golden Arrow file to the same frame JSON we produce', () => {
  const goSdk: unknown = JSON.parse(readFileSync(join(DIR, 'all_types.go-sdk.json'), 'utf8'));
  expect(frameToJSON(goldenFrame())).toEqual(goSdk);
});

test('frame JSON matches the golden file', () => {
  compare('all_types.golden.json', Buffer.from(`${JSON.stringify(frameToJSON(goldenFrame()), null, 2)}\n`));
});
