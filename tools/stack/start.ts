/**
 * `npm start`: the whole product on a laptop, no AWS account needed.
 *
 * 1. DynamoDB Local (port 8000, data in .data/dynamodb, kept across restarts)
 *    and moto's S3 server (port 9000, in memory) start in parallel; the moto
 *    venv is created under .data/venvs on first run.
 * 2. The table (`uid` HASH + numeric `timestamp` RANGE) and bucket are created
 *    if missing; history CSVs are uploaded if missing (moto forgets them on
 *    restart, so they are re-seeded then); the last --backfill hours of live
 *    items are written; on a restart only the gap since the newest stored item.
 * 3. The plugin is built (`npm run build`; a failure is a warning).
 * 4. .data/stack.env holds the endpoints for provisioning; with a Docker
 *    engine Grafana comes up through docker compose, otherwise the printout
 *    says how to point an existing Grafana at dist/ and provisioning/.
 * 5. The simulator streams live readings until Ctrl-C, which stops every
 *    process this command started.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoClient, createS3Client, resolveAwsConnection } from '../../src/backend/sources/awsConfig';
import { epochToMs } from '../../src/backend/sources/parsing';
import { DEFAULT_PREVIEW_PORT, stackSettings, startPreview } from '../preview/preview';
import type { SimReading } from '../simulator/signals';
import { Simulation } from '../simulator/simulation';
import { ensureBucket, ensureTable } from '../simulator/writers';
import type { ManagedProcess } from './childProcess';
import { LOCAL, localSettings } from './defaults';
import { startDynamoDbLocal } from './dynamodbLocal';
import { isPortOpen } from './freePort';
import { startStackKafka } from './kafkaStack';
import { defaultVenvDir, startS3Server } from './s3Server';

const REPO = resolve(__dirname, '..', '..');
const PLUGIN_IDS = 'iotlab-anomaly-app,iotlab-anomaly-datasource,iotlab-anomaly-panel';

const HELP = `npm start -- [flags]
  --dynamodb-port <n>  DynamoDB Local port (default ${LOCAL.dynamodbPort}, env IOTLAB_DYNAMODB_PORT)
  --s3-port <n>        S3 server port (default ${LOCAL.s3Port}, env IOTLAB_S3_PORT)
  --data-dir <dir>     where data and the moto venv live (default .data)
  --backfill <hours>   recent live data written at start (default 6)
  --sensors <n>        simulated sensors (default 3)
  --seed <n>           simulator seed (default 42)
  --rate <per second>  live readings per second per sensor (default 0.1)
  --no-build           skip npm run build
  --no-grafana         do not start Grafana even if Docker is available
  --kafka              also run a Kafka broker (port ${LOCAL.kafkaPort}, env IOTLAB_KAFKA_PORT) and send the live readings to its topic "readings"
                       (then \`npm run worker\` with the variables of .data/stack.env scores them)
  --preview-port <n>   without Grafana, the preview page's port (default ${DEFAULT_PREVIEW_PORT}, env IOTLAB_PREVIEW_PORT)`;

const started = Date.now();
const log = (line: string) => console.log(`[stack +${((Date.now() - started) / 1000).toFixed(1)}s] ${line}`);

function intFlag(name: string, value: string | undefined, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(n) || n < 0) {
    throw new Error(`--${name}: must be a non-negative number (got "${value}")`);
  }
  return n;
}

function flags() {
  const { values } = parseArgs({
    options: {
      'dynamodb-port': { type: 'string' },
      's3-port': { type: 'string' },
      'data-dir': { type: 'string' },
      backfill: { type: 'string' },
      sensors: { type: 'string' },
      seed: { type: 'string' },
      rate: { type: 'string' },
      'no-build': { type: 'boolean' },
      'no-grafana': { type: 'boolean' },
      kafka: { type: 'boolean' },
      'preview-port': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  return {
    help: values.help ?? false,
    dynamodbPort: intFlag('dynamodb-port', values['dynamodb-port'], LOCAL.dynamodbPort),
    s3Port: intFlag('s3-port', values['s3-port'], LOCAL.s3Port),
    dataDir: resolve(values['data-dir'] ?? join(REPO, '.data')),
    backfillHours: intFlag('backfill', values.backfill, 6),
    sensors: intFlag('sensors', values.sensors, 3),
    seed: intFlag('seed', values.seed, 42),
    rate: intFlag('rate', values.rate, 0.1),
    build: !values['no-build'],
    grafana: !values['no-grafana'],
    kafka: values.kafka ?? false,
    previewPort: intFlag(
      'preview-port',
      values['preview-port'] ?? process.env.IOTLAB_PREVIEW_PORT,
      DEFAULT_PREVIEW_PORT
    ),
  };
}

class Stack {
  private readonly processes: ManagedProcess[] = [];
  private readonly children: ChildProcess[] = [];
  private readonly services: Array<() => Promise<void>> = [];
  readonly live = new AbortController();
  private stopping: Promise<void> | undefined;

  track(p: ManagedProcess): ManagedProcess {
    this.processes.push(p);
    return p;
  }

  trackChild(c: ChildProcess): ChildProcess {
    this.children.push(c);
    return c;
  }

  /** A service running on the emulators (the preview): stopped before them. */
  trackService(stop: () => Promise<void>): void {
    this.services.push(stop);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.live.abort();
      for (const c of this.children) {
        if (c.exitCode === null && c.signalCode === null && c.pid) {
          // Children run in their own process group (detached) so their own children (webpack, compose) stop too.
          try {
            process.kill(-c.pid, 'SIGTERM');
          } catch {
            c.kill('SIGTERM');
          }
        }
      }
      await Promise.all(this.services.map((stop) => stop().catch(() => undefined)));
      await Promise.all(this.processes.map((p) => p.stop()));
    })();
    return this.stopping;
  }
}

async function assertPortFree(port: number, what: string, flag: string): Promise<void> {
  if (await isPortOpen(port)) {
    throw new Error(`port ${port} (${what}) is already in use: stop what holds it, or pass --${flag} <port>`);
  }
}

function hasDocker(): boolean {
  return (
    spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0 &&
    spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0
  );
}

/** Builds the plugin in the background; resolves true on success. Output goes to .data/logs/build.log. */
function buildPlugin(stack: Stack, dataDir: string): Promise<boolean> {
  const logs = join(dataDir, 'logs');
  mkdirSync(logs, { recursive: true });
  const out = openSync(join(logs, 'build.log'), 'w');
  const child = stack.trackChild(
    spawn('npm', ['run', 'build'], { cwd: REPO, stdio: ['ignore', out, out], detached: true })
  );
  return new Promise((done) => {
    child.once('error', () => done(false));
    child.once('exit', (code) => done(code === 0));
  });
}

function writeEnv(
  dataDir: string,
  dynamodbEndpoint: string,
  s3Endpoint: string,
  extra: Record<string, string> = {}
): string {
  const file = join(dataDir, 'stack.env');
  const env = {
    IOTLAB_DYNAMODB_ENDPOINT: dynamodbEndpoint,
    IOTLAB_S3_ENDPOINT: s3Endpoint,
    // What Grafana inside a container uses to reach the emulators on this host.
    IOTLAB_DOCKER_DYNAMODB_ENDPOINT: dynamodbEndpoint.replace('127.0.0.1', 'host.docker.internal'),
    IOTLAB_DOCKER_S3_ENDPOINT: s3Endpoint.replace('127.0.0.1', 'host.docker.internal'),
    // The emulators take the static keys below; real AWS would use `default`.
    IOTLAB_AUTH_TYPE: 'keys',
    IOTLAB_REGION: LOCAL.region,
    IOTLAB_TABLE: LOCAL.table,
    IOTLAB_BUCKET: LOCAL.bucket,
    IOTLAB_HISTORY_KEY_TEMPLATE: LOCAL.historyKeyTemplate,
    IOTLAB_ACCESS_KEY: LOCAL.accessKey,
    IOTLAB_SECRET_KEY: LOCAL.secretKey,
    GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS: PLUGIN_IDS,
    // Provisioning needs a value; this one fails delivery visibly until a real webhook is set.
    SLACK_WEBHOOK_URL: process.env.SLACK_WEBHOOK_URL ?? 'http://localhost:9/slack-webhook-not-configured',
    ...extra,
  };
  writeFileSync(
    file,
    '# Written by npm start: the local stack for provisioning/ ($IOTLAB_* in provisioning YAML).\n' +
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}`)
        .join('\n') +
      '\n'
  );
  return file;
}

function startGrafana(stack: Stack, envFile: string): void {
  log('Docker found: starting Grafana with docker compose (http://localhost:3000)');
  const child = stack.trackChild(
    spawn('docker', ['compose', '--env-file', envFile, 'up', '--remove-orphans'], {
      cwd: REPO,
      stdio: ['ignore', 'inherit', 'inherit'],
      detached: true,
    })
  );
  child.once('exit', (code) => code && log(`docker compose exited with code ${code}`));
}

function printNoDocker(envFile: string): void {
  console.log(`
No Docker engine: point an existing Grafana (>= 13.2) at this checkout:
  1. Link the build into Grafana's plugin folder (Grafana follows the link):
       ln -s ${join(REPO, 'dist')} <grafana plugins dir>/iotlab-anomaly-app
     and allow the unsigned plugins in grafana.ini (or GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS):
       [plugins] allow_loading_unsigned_plugins = ${PLUGIN_IDS}
  2. Use this checkout's provisioning ([paths] provisioning = ${join(REPO, 'provisioning')})
     and start Grafana with the stack's variables so it finds the emulators:
       set -a; . ${envFile}; set +a; grafana server --homepath /usr/share/grafana
`);
}

/** Without Grafana, something to look at: the preview page (tools/preview/) on this stack. */
async function startPreviewPage(stack: Stack, envFile: string, port: number): Promise<void> {
  const missing = ['panel/module.js', 'datasource/module.js'].filter((file) => !existsSync(join(REPO, 'dist', file)));
  if (missing.length > 0) {
    log(`no preview: dist/${missing[0]} is missing (run npm run build)`);
    return;
  }
  try {
    const preview = await startPreview({ settings: stackSettings(envFile), port });
    stack.trackService(() => preview.stop());
    log(`preview (not Grafana: the built panel and query editor on this stack): ${preview.url}`);
  } catch (e) {
    log(`WARNING: the preview did not start (${(e as Error).message}); the stack runs anyway`);
  }
}

async function main(): Promise<void> {
  const f = flags();
  if (f.help) {
    console.log(HELP);
    return;
  }
  // Java, python3-venv, …: installed when possible, else the script prints the command and we stop here.
  if (spawnSync('bash', [join(REPO, 'tools/setup/systemPackages.sh'), 'start'], { stdio: 'inherit' }).status !== 0) {
    process.exit(1);
  }
  mkdirSync(f.dataDir, { recursive: true });
  await assertPortFree(f.dynamodbPort, 'DynamoDB Local', 'dynamodb-port');
  await assertPortFree(f.s3Port, 'S3 server', 's3-port');
  const stack = new Stack();
  const shutdown = (signal: string) => {
    log(`${signal}: stopping everything this command started...`);
    void stack.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  try {
    await run(stack, f);
  } catch (e) {
    console.error(`npm start: ${(e as Error).message}`);
    await stack.stop();
    process.exit(1);
  }
  await stack.stop();
}

/** The oldest of the sensors' newest stored timestamps (ms), so a restart backfills only the gap. */
async function latestStored(dynamo: DynamoDBClient, sensors: string[]): Promise<number> {
  const newest = await Promise.all(
    sensors.map(async (id) => {
      const out = await dynamo.send(
        new QueryCommand({
          TableName: LOCAL.table,
          KeyConditionExpression: 'uid = :u',
          ExpressionAttributeValues: { ':u': { S: id } },
          ScanIndexForward: false,
          Limit: 1,
        })
      );
      const ts = Number(out.Items?.[0]?.timestamp?.N);
      return Number.isFinite(ts) ? epochToMs(ts, 'auto') : -Infinity;
    })
  );
  return Math.min(...newest);
}

async function run(stack: Stack, f: ReturnType<typeof flags>): Promise<void> {
  const grafana = f.grafana && hasDocker();
  if (grafana && !existsSync(join(REPO, 'docker-compose.yml'))) {
    throw new Error(
      'a Docker engine is available but docker-compose.yml is missing; pass --no-grafana to run without Grafana'
    );
  }
  log('starting DynamoDB Local and the S3 server (moto)...');
  const [ddb, s3srv] = await Promise.all([
    startDynamoDbLocal({ port: f.dynamodbPort, dbPath: join(f.dataDir, 'dynamodb') }).then((p) => {
      stack.track(p);
      log(`DynamoDB Local ready at ${p.endpoint} in ${p.startupMs} ms (data: ${join(f.dataDir, 'dynamodb')})`);
      return p;
    }),
    startS3Server({ port: f.s3Port, venvDir: defaultVenvDir(REPO), log, host: grafana ? '0.0.0.0' : '127.0.0.1' }).then(
      (p) => {
        stack.track(p);
        log(`S3 server ready at ${p.endpoint} in ${p.startupMs} ms`);
        return p;
      }
    ),
  ]);
  const kafka = f.kafka ? await startStackKafka({ port: LOCAL.kafkaPort, dataDir: f.dataDir, log }) : undefined;
  if (kafka) {
    stack.trackService(() => kafka.stop());
  }
  const build = f.build ? buildPlugin(stack, f.dataDir) : Promise.resolve(true);
  const settings = localSettings(ddb.endpoint, s3srv.endpoint);
  const conn = resolveAwsConnection(settings.jsonData, settings.secureJsonData);
  const dynamo = createDynamoClient(conn);
  const s3 = createS3Client(conn);
  if (await ensureTable(dynamo, LOCAL.table)) {
    log(`created table ${LOCAL.table} (uid HASH, timestamp N RANGE)`);
  }
  await ensureBucket(s3, LOCAL.bucket);
  const sim = new Simulation(
    {
      sensors: f.sensors,
      seed: f.seed,
      historyRows: 23_000,
      historyIntervalMs: 60_000,
      liveIntervalMs: 1000 / f.rate,
      backfillHours: f.backfillHours,
      anomaliesPerDay: 1.5,
      timestampUnit: 's',
      nowMs: Date.now(),
      table: LOCAL.table,
      bucket: LOCAL.bucket,
      historyKeyTemplate: LOCAL.historyKeyTemplate,
      labelsDir: join(f.dataDir, 'labels'),
      ...(kafka ? { alsoTo: (readings: SimReading[]) => kafka.writer.write(readings) } : {}),
    },
    dynamo,
    s3,
    log
  );
  const history = await sim.writeHistory(true);
  log(history.uploaded > 0 ? `seeded ${history.uploaded} history objects` : 'history already in the bucket');
  await sim.backfill(
    Date.now(),
    await latestStored(
      dynamo,
      sim.sensors.map((x) => x.id)
    )
  );
  const envFile = writeEnv(f.dataDir, ddb.endpoint, s3srv.endpoint, kafka?.env);
  if (f.build) {
    log('building the plugin (npm run build, log in .data/logs/build.log)...');
    if (!(await build)) {
      log('WARNING: npm run build failed (see .data/logs/build.log); the emulators and data are up anyway');
    } else {
      log('plugin built into dist/');
    }
  }
  console.log(`
Local stack is up (env: ${envFile})
  DynamoDB:  ${ddb.endpoint}  table ${LOCAL.table}   region ${LOCAL.region}
  S3:        ${s3srv.endpoint}  bucket ${LOCAL.bucket}  (history ${LOCAL.historyKeyTemplate}, labels/)
  Keys:      access key "${LOCAL.accessKey}", secret "${LOCAL.secretKey}" (emulators only)
${kafka ? `  Kafka:     ${kafka.bootstrap}  topics readings (the live readings), anomalies\n  Worker:    set -a; . ${envFile}; set +a; npm run worker\n` : ''}`);
  if (grafana) {
    startGrafana(stack, envFile);
  } else {
    printNoDocker(envFile);
    await startPreviewPage(stack, envFile, f.previewPort);
  }
  log(`live: ${f.sensors} sensors, one reading each every ${1 / f.rate} s. Ctrl-C stops everything.`);
  let written = 0;
  let lastReport = Date.now();
  await sim.runLive(stack.live.signal, Infinity, (n) => {
    written += n;
    if (Date.now() - lastReport > 60_000) {
      log(`live: ${written} items written`);
      lastReport = Date.now();
    }
  });
  dynamo.destroy();
  s3.destroy();
}

void main();
