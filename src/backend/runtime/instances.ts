import type { DataSourceInstance, DataSourceSettings, InstanceEnvironment, InstanceFactory } from './api';
import type { Logger } from './logger';
import type { SecretRegistry } from '../async/redact';

interface Entry {
  uid: string;
  lastUpdatedMS: number;
  instance: Promise<DataSourceInstance>;
  /** Calls running on this instance now (see `use`). */
  calls: number;
  /** Replaced by newer settings: disposed when its last call ends. */
  retired: boolean;
  disposed: boolean;
}

/**
 * One instance per data source, like the Go SDK's instance manager: created on
 * first use, cached by uid, and replaced when Grafana reports a different
 * `lastUpdatedMS` (the user saved new settings). Concurrent requests for the
 * same settings share one creation.
 *
 * A replaced instance is disposed once the calls that run on it (`use`) have
 * ended: a health check with new settings must not close the connections of a
 * query still reading with the old ones. (The Go SDK waits a fixed delay
 * instead; counting the calls waits exactly as long as needed.) Live streams
 * take the instance with `get` and do not hold it: disposing it ends them, and
 * Grafana runs them again on the new instance.
 */
export class InstanceManager {
  private readonly entries = new Map<string, Entry>();
  /** Replaced instances that still have calls running. */
  private readonly retiring = new Set<Entry>();

  constructor(
    private readonly factory: InstanceFactory,
    private readonly env: InstanceEnvironment,
    private readonly secrets: SecretRegistry,
    private readonly logger: Logger
  ) {}

  get(settings: DataSourceSettings): Promise<DataSourceInstance> {
    return this.entryFor(settings).instance;
  }

  /** Runs one call on the data source's instance, which stays open until the call ends. */
  async use<T>(settings: DataSourceSettings, run: (instance: DataSourceInstance) => Promise<T>): Promise<T> {
    const entry = this.entryFor(settings);
    entry.calls++;
    try {
      return await run(await entry.instance);
    } finally {
      entry.calls--;
      if (entry.retired && entry.calls === 0) {
        this.retiring.delete(entry);
        void this.dispose(entry);
      }
    }
  }

  /** Number of cached instances (for tests and metrics). */
  get size(): number {
    return this.entries.size;
  }

  /** Shutdown: every instance, including replaced ones whose calls the server is aborting. */
  async disposeAll(): Promise<void> {
    const entries = [...this.entries.values(), ...this.retiring];
    this.entries.clear();
    this.retiring.clear();
    await Promise.all(entries.map((entry) => this.dispose(entry)));
  }

  private entryFor(settings: DataSourceSettings): Entry {
    const current = this.entries.get(settings.uid);
    if (current && current.lastUpdatedMS === settings.lastUpdatedMS) {
      return current;
    }
    this.secrets.register(Object.values(settings.secureJsonData));
    const entry: Entry = {
      uid: settings.uid,
      lastUpdatedMS: settings.lastUpdatedMS,
      instance: this.create(settings),
      calls: 0,
      retired: false,
      disposed: false,
    };
    this.entries.set(settings.uid, entry);
    if (current) {
      this.logger.info('Data source settings changed; replacing instance', {
        uid: settings.uid,
        callsStillRunning: current.calls,
      });
      this.retire(current);
    }
    return entry;
  }

  private retire(entry: Entry): void {
    entry.retired = true;
    if (entry.calls === 0) {
      void this.dispose(entry);
    } else {
      this.retiring.add(entry);
    }
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

  private async dispose(entry: Entry): Promise<void> {
    if (entry.disposed) {
      return;
    }
    entry.disposed = true;
    // A creation that failed has nothing to dispose (its error went to the caller).
    const instance = await entry.instance.catch(() => undefined);
    try {
      await instance?.dispose?.();
    } catch (error) {
      this.logger.warn('Disposing a data source instance failed', { uid: entry.uid, error });
    }
  }
}
