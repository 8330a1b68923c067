import type { DataSourceInstance, DataSourceSettings, InstanceEnvironment, InstanceFactory } from './api';
import type { Logger } from './logger';
import type { SecretRegistry } from '../async/redact';

interface Entry {
  lastUpdatedMS: number;
  instance: Promise<DataSourceInstance>;
}

/**
 * One instance per data source, like the Go SDK's instance manager: created on
 * first use, cached by uid, and replaced — the old one disposed — when Grafana
 * reports a different `lastUpdatedMS` (the user saved new settings).
 * Concurrent requests for the same settings share one creation.
 */
export class InstanceManager {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly factory: InstanceFactory,
    private readonly env: InstanceEnvironment,
    private readonly secrets: SecretRegistry,
    private readonly logger: Logger
  ) {}

  get(settings: DataSourceSettings): Promise<DataSourceInstance> {
    const current = this.entries.get(settings.uid);
    if (current && current.lastUpdatedMS === settings.lastUpdatedMS) {
      return current.instance;
    }
    this.secrets.register(Object.values(settings.secureJsonData));
    const instance = this.create(settings);
    this.entries.set(settings.uid, { lastUpdatedMS: settings.lastUpdatedMS, instance });
    if (current) {
      this.logger.info('Data source settings changed; replacing instance', { uid: settings.uid });
      void this.dispose(settings.uid, current.instance);
    }
    return instance;
  }

  /** Number of cached instances (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  async disposeAll(): Promise<void> {
    const entries = [...this.entries];
    this.entries.clear();
    await Promise.all(entries.map(([uid, entry]) => this.dispose(uid, entry.instance)));
  }

  private async create(settings: DataSourceSettings): Promise<DataSourceInstance> {
    try {
      return await this.factory(settings, this.env);
    } catch (error) {
      // Forget the failed creation so that the next request tries again.
      if (this.entries.get(settings.uid)?.lastUpdatedMS === settings.lastUpdatedMS) {
        this.entries.delete(settings.uid);
      }
      throw error;
    }
  }

  private async dispose(uid: string, pending: Promise<DataSourceInstance>): Promise<void> {
    // A creation that failed has nothing to dispose (its error went to the caller).
    const instance = await pending.catch(() => undefined);
    try {
      await instance?.dispose?.();
    } catch (error) {
      this.logger.warn('Disposing a data source instance failed', { uid, error });
    }
  }
}
