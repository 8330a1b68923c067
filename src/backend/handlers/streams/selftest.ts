/**
 * Live channel `ds/<uid>/selftest`: a sine value every 100 ms until Grafana
 * cancels the stream. It proves the Live path (subscribe, run, cancel) without
 * any data source behind it, for the conformance suite and for users
 * debugging a Live set-up.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import { numberField, timeField, type RequestContext, type StreamSender } from '../../runtime';

export const SELFTEST_PATH = 'selftest';
const SELFTEST_INTERVAL_MS = 100;

export async function runSelftest(ctx: RequestContext, sender: StreamSender): Promise<void> {
  while (!ctx.signal.aborted) {
    const now = Date.now();
    await sender.sendFrame({
      fields: [
        timeField('time', Float64Array.of(now)),
        numberField('value', Float64Array.of(Math.sin((2 * Math.PI * now) / 60_000))),
      ],
    });
    await sleep(SELFTEST_INTERVAL_MS, undefined, { signal: ctx.signal }).catch(() => undefined);
  }
}
