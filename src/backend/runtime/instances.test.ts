import type { DataSourceInstance, DataSourceSettings } from './api';
import { InstanceManager } from './instances';
import { createLogger } from './logger';
import { Registry } from 'prom-client';
import { SecretRegistry } from '../async/redact';

function settings(uid: string, lastUpdatedMS: number, secureJsonData: Record<string, string> = {}): DataSourceSettings {
  return { uid, name: uid, id: 1, url: '', jsonData: {}, secureJsonData, lastUpdatedMS };
}

function setup(factory?: (s: DataSourceSettings) => DataSourceInstance | Promise<DataSourceInstance>) {
  const created: Array<{ settings: DataSourceSettings; disposed: number }> = [];
  const secrets = new SecretRegistry();
  const lines: string[] = [];
  const logger = createLogger({ module: 't', secrets, write: (l) => lines.push(l) });
  const manager = new InstanceManager(
    factory ??
      ((s) => {
        const record = { settings: s, disposed: 0 };
        created.push(record);
        return {
          query: async () => [],
          checkHealth: async () => ({ status: 'OK', message: s.uid }),
          dispose: () => void record.disposed++,
        };
      }),
    { logger, metrics: new Registry() },
    secrets,
    logger
  );
  return { manager, created, secrets, lines };
}

/**
 * Starts a call on the instance for `s` that runs until the returned function
 * is called; that function ends it and waits until its instance is released.
 */
async function callHeldOpen(manager: InstanceManager, s: DataSourceSettings): Promise<() => Promise<void>> {
  let finish!: () => void;
  const running = manager.use(s, () => new Promise<void>((resolve) => (finish = resolve)));
  await new Promise((resolve) => setImmediate(resolve));
  return async () => {
    finish();
    await running;
    await new Promise((resolve) => setImmediate(resolve));
  };
}

describe('InstanceManager', () => {
  test('creates one instance per uid and reuses it while lastUpdatedMS is unchanged', async () => {
    const { manager, created } = setup();
    const a1 = await manager.get(settings('a', 1));
    const a2 = await manager.get(settings('a', 1));
    const b = await manager.get(settings('b', 1));
    expect(a1).toBe(a2);
    expect(b).not.toBe(a1);
    expect(created.map((c) => c.settings.uid)).toEqual(['a', 'b']);
  });

  test('re-creates the instance when lastUpdatedMS changes and disposes the old one', async () => {
    const { manager, created } = setup();
    const old = await manager.get(settings('a', 1));
    const fresh = await manager.get(settings('a', 2));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fresh).not.toBe(old);
    expect(created.map((c) => c.disposed)).toEqual([1, 0]);
    expect(manager.size).toBe(1);
  });

  test('an instance replaced during a call is disposed when that call ends, not before', async () => {
    const { manager, created } = setup();
    const finishQuery = await callHeldOpen(manager, settings('a', 1));
    const healthWithNewSettings = await manager.use(settings('a', 2), (instance) => instance.checkHealth({} as never));
    expect(healthWithNewSettings.status).toBe('OK');
    expect(created.map((c) => c.disposed)).toEqual([0, 0]);
    await finishQuery();
    expect(created.map((c) => c.disposed)).toEqual([1, 0]);
  });

  test('disposeAll also disposes a replaced instance whose call is still running, once', async () => {
    const { manager, created } = setup();
    const finishQuery = await callHeldOpen(manager, settings('a', 1));
    await manager.get(settings('a', 2));
    await manager.disposeAll();
    expect(created.map((c) => c.disposed)).toEqual([1, 1]);
    await finishQuery();
    expect(created.map((c) => c.disposed)).toEqual([1, 1]);
  });

  test('concurrent first requests share one creation', async () => {
    const { manager, created } = setup();
    const [x, y] = await Promise.all([manager.get(settings('a', 1)), manager.get(settings('a', 1))]);
    expect(x).toBe(y);
    expect(created).toHaveLength(1);
  });

  test('a failed creation is forgotten so the next request retries', async () => {
    let attempts = 0;
    const { manager } = setup(async () => {
      attempts++;
      if (attempts === 1) {
        throw new Error('bad settings');
      }
      return { query: async () => [], checkHealth: async () => ({ status: 'OK', message: '' }) };
    });
    await expect(manager.get(settings('a', 1))).rejects.toThrow('bad settings');
    await expect(manager.get(settings('a', 1))).resolves.toBeDefined();
    expect(attempts).toBe(2);
  });

  test('disposeAll disposes every instance and a throwing dispose is logged, not thrown', async () => {
    const { manager, lines } = setup((s) => ({
      query: async () => [],
      checkHealth: async () => ({ status: 'OK', message: '' }),
      dispose: () => {
        if (s.uid === 'bad') {
          throw new Error('close failed');
        }
      },
    }));
    await manager.get(settings('ok', 1));
    await manager.get(settings('bad', 1));
    await expect(manager.disposeAll()).resolves.toBeUndefined();
    expect(manager.size).toBe(0);
    expect(lines.join('')).toContain('close failed');
  });

  test('registers the data source’s secrets with the log redaction', async () => {
    const { manager, secrets } = setup();
    await manager.get(settings('a', 1, { secretKey: 'very-secret-value' }));
    expect(secrets.maskString('x very-secret-value y')).toBe('x [REDACTED] y');
  });
});
