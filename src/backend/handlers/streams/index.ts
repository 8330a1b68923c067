/**
 * Grafana Live for this data source: which channel paths exist and what runs
 * behind each. Grafana calls RunStream once per channel, however many
 * viewers it has.
 * - `selftest`: a sine wave every 100 ms, proving the Live path end to end;
 * - `v1/…`, `h1/…`: live anomaly streams, one per (sensor, live query) —
 *   see channel.ts for the paths and live.ts for what runs behind them.
 */
import type { StreamHandler } from '../../runtime';
import { liveStreamHandler, type LiveStreams } from './live';
import { runSelftest, SELFTEST_PATH } from './selftest';

export function streamHandler(live?: LiveStreams): StreamHandler {
  const anomalies = live ? liveStreamHandler(live) : undefined;
  return {
    async subscribe(request, ctx) {
      if (request.path === SELFTEST_PATH) {
        return { status: 'OK' };
      }
      return anomalies ? anomalies.subscribe(request, ctx) : { status: 'NOT_FOUND' };
    },
    async run(request, ctx, sender) {
      if (request.path === SELFTEST_PATH) {
        await runSelftest(ctx, sender);
      } else {
        await anomalies?.run(request, ctx, sender);
      }
    },
  };
}
