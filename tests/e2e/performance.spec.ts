/**
 * The chart at scale: 100,000 readings and 2,000 flagged ones, generated in
 * the page in the backend's frame shape. The test checks that every marker is
 * drawn at that size; the time it took is reported (a measurement, not a
 * pass/fail threshold: speed targets live in benchmarks) and written to
 * __output__/render-time.json.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { OUTPUT_DIR } from './config';
import { expect, test } from './fixtures';

const SPEC = { sensors: 4, readings: 25_000, stepMs: 10_000, flagEvery: 50, width: 1200, height: 500 };

test('100,000 readings with 2,000 flagged: every marker drawn (render time reported)', async ({ host }, info) => {
  const { page } = host;
  await page.setViewportSize({ width: 1300, height: 700 });
  const runs = [];
  for (let i = 0; i < 3; i++) {
    runs.push(await page.evaluate((spec) => window.__host.measurePanel(spec), SPEC));
  }
  for (const run of runs) {
    expect(run.readings).toBe(100_000);
    expect(run.markersDrawn).toBe(run.flagged);
  }
  const times = runs.map((run) => Math.round(run.firstDrawMs)).sort((a, b) => a - b);
  const result = { readings: 100_000, flagged: runs[0].flagged, firstDrawMs: times, medianMs: times[1] };
  writeFileSync(path.join(OUTPUT_DIR, 'render-time.json'), JSON.stringify(result, null, 2));
  info.annotations.push({
    type: 'render time',
    description: `median ${result.medianMs} ms (runs: ${times.join(', ')} ms)`,
  });
  console.log(
    `render: ${result.readings} readings, ${result.flagged} markers, first draw median ${result.medianMs} ms (${times.join(', ')})`
  );
});
