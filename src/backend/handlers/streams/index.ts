/**
 * Grafana Live for this data source: which channel paths exist and what runs
 * behind each. Grafana calls RunStream once per channel, however many
 * viewers it has.
 */
import type { StreamHandler } from '../../runtime';
import { runSelftest, SELFTEST_PATH } from './selftest';

export function streamHandler(): StreamHandler {
  return {
    async subscribe(request) {
      return { status: request.path === SELFTEST_PATH ? 'OK' : 'NOT_FOUND' };
    },
    async run(request, ctx, sender) {
      if (request.path === SELFTEST_PATH) {
        await runSelftest(ctx, sender);
      }
    },
  };
}
