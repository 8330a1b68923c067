/**
 * The preview: the host page (the built panel and query editor in Grafana's
 * theme) served with the real backend executable behind its API, pointed at a
 * local stack's emulators. `npm start` runs it when there is no Docker for
 * Grafana; `npx tsx tools/preview/start.ts` runs it beside any running stack.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { LOCAL, localSettings } from '../stack/defaults';
import { buildHost } from './buildHost';
import { DATASOURCE_UID } from './host/contract';
import { type DataSourceSettings, startPluginBackend } from './pluginBackend';
import { startPageServer } from './server';

export const DEFAULT_PREVIEW_PORT = 3100;

export interface PreviewOptions {
  settings: DataSourceSettings;
  /** The built plugin (default: the repository's dist/). */
  distDir?: string;
  /** The backend executable (default: what the runtime's launcher picks, dist/'s build first). */
  executable?: string;
  /** 0 = any free port. */
  port?: number;
  /** A host page already built with buildHost() (the browser tests build it once); default: build one now. */
  hostDir?: string;
}

export interface RunningPreview {
  url: string;
  /** The backend's log so far. */
  backendLog(): string;
  stop(): Promise<void>;
}

const REPO = path.resolve(__dirname, '..', '..');

export async function startPreview(options: PreviewOptions): Promise<RunningPreview> {
  const hostDir = options.hostDir ?? mkdtempSync(path.join(os.tmpdir(), 'iotlab-preview-'));
  const cleanups: Array<() => Promise<void> | void> = [];
  if (!options.hostDir) {
    cleanups.push(() => rmSync(hostDir, { recursive: true, force: true }));
  }
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) {
      await cleanup();
    }
  };
  try {
    const [backend] = await Promise.all([
      startPluginBackend(options.settings, options.executable),
      options.hostDir ? undefined : buildHost(hostDir),
    ]);
    cleanups.push(() => backend.stop());
    const server = await startPageServer({
      distDir: options.distDir ?? path.join(REPO, 'dist'),
      hostDir,
      backend,
      jsonData: { ...options.settings.jsonData },
      port: options.port ?? DEFAULT_PREVIEW_PORT,
    });
    cleanups.push(() => server.close());
    return { url: server.url, backendLog: backend.log, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The data source settings for the stack that `npm start` described in its env file (`.data/stack.env`). */
export function stackSettings(envFile: string): DataSourceSettings {
  const env = parseEnvFile(readFileSync(envFile, 'utf8'));
  const need = (key: string) => {
    const value = env.get(key);
    if (!value) {
      throw new Error(`${envFile} has no ${key}: start the stack with \`npm start\` first`);
    }
    return value;
  };
  const local = localSettings(need('IOTLAB_DYNAMODB_ENDPOINT'), need('IOTLAB_S3_ENDPOINT'));
  return {
    uid: DATASOURCE_UID,
    name: 'IoT Lab Anomaly (local stack)',
    jsonData: {
      ...local.jsonData,
      defaultRegion: env.get('IOTLAB_REGION') ?? LOCAL.region,
      table: env.get('IOTLAB_TABLE') ?? LOCAL.table,
      historyBucket: env.get('IOTLAB_BUCKET') ?? LOCAL.bucket,
      historyKeyTemplate: env.get('IOTLAB_HISTORY_KEY_TEMPLATE') ?? LOCAL.historyKeyTemplate,
    },
    secureJsonData: {
      accessKey: env.get('IOTLAB_ACCESS_KEY') ?? LOCAL.accessKey,
      secretKey: env.get('IOTLAB_SECRET_KEY') ?? LOCAL.secretKey,
    },
  };
}

/** `KEY=value` lines; `#` comments and blank lines ignored. */
export function parseEnvFile(text: string): Map<string, string> {
  const env = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (match && !line.trimStart().startsWith('#')) {
      env.set(match[1], match[2].trim());
    }
  }
  return env;
}
