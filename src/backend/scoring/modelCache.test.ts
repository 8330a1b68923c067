import { ModelCache, type ProducedModel } from './modelCache';
import { emptyDropCounts } from './features';
import { shareModel } from './tasks';

function produced(json = '{"kind":"anomaly_model"}'): ProducedModel {
  const { text, byteLength } = shareModel('', json);
  return {
    ok: true,
    identity: 'test',
    text,
    byteLength,
    rows: 100,
    dropped: emptyDropCounts(),
    trainedAt: Date.UTC(2026, 0, 1),
    trainingMs: 12.3,
    source: 'trained',
  };
}

/** A producer that finishes when told to, and records the signal it was given. */
function controllable() {
  let finish!: (value: ProducedModel) => void;
  let fail!: (error: Error) => void;
  const calls: AbortSignal[] = [];
  const produce = (signal: AbortSignal) => {
    calls.push(signal);
    return new Promise<ProducedModel>((resolve, reject) => {
      finish = resolve;
      fail = reject;
    });
  };
  return { produce, calls, finish: (v = produced()) => finish(v), fail: (e: Error) => fail(e) };
}

/** A cache with two callers waiting for the same model, whose production has started and is not done. */
async function twoWaiting() {
  const cache = new ModelCache();
  const p = controllable();
  const a = cache.get('k', p.produce);
  const b = cache.get('k', p.produce);
  await Promise.resolve();
  return { cache, p, a, b };
}

describe('model cache', () => {
  test('concurrent requests for one key share one production; later requests hit the cache', async () => {
    const { cache, p, a, b } = await twoWaiting();
    p.finish();
    const [ma, mb] = await Promise.all([a, b]);
    expect(p.calls).toHaveLength(1);
    expect(ma).toBe(mb);
    expect(await cache.get('k', p.produce)).toBe(ma);
    expect(p.calls).toHaveLength(1);
  });

  test('one waiter giving up does not cancel the others; the production goes on', async () => {
    const cache = new ModelCache();
    const p = controllable();
    const leaving = new AbortController();
    const a = cache.get('k', p.produce, leaving.signal);
    const b = cache.get('k', p.produce);
    await Promise.resolve();
    leaving.abort();
    await expect(a).rejects.toMatchObject({ name: 'AbortError' });
    expect(p.calls[0]!.aborted).toBe(false);
    p.finish();
    await expect(b).resolves.toMatchObject({ key: 'k', rows: 100 });
  });

  test('when every waiter has gone the production is aborted and nothing is cached', async () => {
    const cache = new ModelCache();
    const p = controllable();
    const one = new AbortController();
    const two = new AbortController();
    const a = cache.get('k', p.produce, one.signal);
    const b = cache.get('k', p.produce, two.signal);
    await Promise.resolve();
    one.abort();
    two.abort();
    await expect(Promise.allSettled([a, b])).resolves.toEqual([
      expect.objectContaining({ status: 'rejected' }),
      expect.objectContaining({ status: 'rejected' }),
    ]);
    expect(p.calls[0]!.aborted).toBe(true);
    expect(cache.producing).toBe(0);
    // A new request starts a new production.
    const again = controllable();
    const c = cache.get('k', again.produce);
    await Promise.resolve();
    again.finish();
    await expect(c).resolves.toMatchObject({ key: 'k' });
    expect(again.calls).toHaveLength(1);
  });

  test('a failure reaches every waiter and is not cached', async () => {
    const { cache, p, a, b } = await twoWaiting();
    p.fail(new Error('S3 unreachable'));
    await expect(a).rejects.toThrow('S3 unreachable');
    await expect(b).rejects.toThrow('S3 unreachable');
    expect(cache.peek('k')).toBeUndefined();
    const retry = controllable();
    const c = cache.get('k', retry.produce);
    await Promise.resolve();
    retry.finish();
    await expect(c).resolves.toMatchObject({ key: 'k' });
  });

  test('too few rows is answered, not cached', async () => {
    const cache = new ModelCache();
    const tooFew = {
      ok: false as const,
      reason: 'too_few_rows' as const,
      rows: 3,
      needed: 50,
      dropped: emptyDropCounts(),
    };
    await expect(cache.get('k', async () => tooFew)).resolves.toEqual(tooFew);
    expect(cache.peek('k')).toBeUndefined();
  });

  test('bounded by bytes: the least recently used model is evicted; list() describes what is kept', async () => {
    const json = `{"pad":"${'x'.repeat(1000)}"}`;
    const cache = new ModelCache({ maxBytes: 2500 });
    for (const key of ['a', 'b', 'c']) {
      await cache.get(key, async () => produced(json));
    }
    expect(cache.peek('a')).toBeUndefined();
    expect(cache.list().map((m) => m.key)).toEqual(['c', 'b']);
    expect(cache.list()[0]).toEqual({
      key: 'c',
      identity: 'test',
      rows: 100,
      trainedAt: '2026-01-01T00:00:00.000Z',
      trainingMs: 12,
      bytes: json.length,
      source: 'trained',
    });
    expect(cache.totalBytes).toBe(2 * json.length);
    expect(cache.peek('c')!.json).toBe(json);
  });
});
