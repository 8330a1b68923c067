/**
 * A real Apache Kafka broker for `npm start --kafka`, the integration and
 * fault tests and the worker benchmark: Kafka 4.1 in KRaft mode (one process
 * that is both broker and controller), from its Maven Central jars, on the
 * machine's Java 17+. No broker ships in Debian or npm, so Maven resolves
 * `org.apache.kafka:kafka_2.13` and its runtime dependencies once into
 * `.cache/kafka/<version>/jars` (about 45 MB).
 *
 * The broker listens on 127.0.0.1 only, on free ports unless told otherwise,
 * runs under the same parent-death guard as the emulators
 * (`childProcess.ts`), and keeps its log in a data folder that a restart
 * reuses (the fault tests restart it mid-stream).
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { Admin } from '@platformatic/kafka';

import { startProcess, type ManagedProcess } from './childProcess';
import { freePorts, isPortOpen } from './freePort';

const run = promisify(execFile);

/** The newest Kafka line that @platformatic/kafka 2.12 is tested against (3.5 to 4.2). */
export const KAFKA_VERSION = '4.1.1';
/** Kafka's own log4j2 ↔ SLF4J 1.x bridge version (its log4j-core is 2.24.3). */
const LOG4J_VERSION = '2.24.3';
const MARKER = '.resolved';

export interface TopicSpec {
  name: string;
  partitions: number;
}

/** The product's two topics (data source settings `kafkaReadingsTopic`, `kafkaAnomaliesTopic`). */
export const DEFAULT_TOPICS: readonly TopicSpec[] = [
  { name: 'readings', partitions: 6 },
  { name: 'anomalies', partitions: 6 },
];

export interface KafkaBrokerOptions {
  /** Log and metadata folder; default a fresh temporary folder, deleted on stop(). */
  dataDir?: string;
  /** Client port; default a free one. */
  port?: number;
  /** KRaft controller port; default a free one. */
  controllerPort?: number;
  /** Created (if missing) once the broker is ready. */
  topics?: readonly TopicSpec[];
  /** Where the jars are cached; default <repo>/.cache/kafka. */
  cacheDir?: string;
  /** Java heap limit, e.g. "512m". */
  maxHeap?: string;
  timeoutMs?: number;
  log?: (line: string) => void;
}

const REPO = resolve(__dirname, '..', '..');

function pom(): string {
  const dependency = (group: string, artifact: string, version: string) =>
    `<dependency><groupId>${group}</groupId><artifactId>${artifact}</artifactId><version>${version}</version></dependency>`;
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.iotlab</groupId>
  <artifactId>kafka-broker-jars</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    ${dependency('org.apache.kafka', 'kafka_2.13', KAFKA_VERSION)}
    ${dependency('org.apache.logging.log4j', 'log4j-slf4j-impl', LOG4J_VERSION)}
  </dependencies>
</project>
`;
}

function assertTool(command: string, args: string[], install: string): void {
  const probe = spawnSync(command, args, { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`Kafka needs ${command} ("${command} ${args.join(' ')}" failed). On Debian/Ubuntu: ${install}`);
  }
}

function java(): string {
  const command = process.env.JAVA ?? 'java';
  assertTool(command, ['-version'], 'apt-get install -y openjdk-17-jre-headless; or set JAVA=/path/to/java');
  return command;
}

/**
 * The broker's class path: resolves the jars with Maven on first use. Installs
 * into a staging folder and renames it into place, so an interrupted or
 * concurrent resolve never leaves half a class path behind.
 */
export async function ensureKafkaJars(
  cacheDir = join(REPO, '.cache', 'kafka'),
  log: (line: string) => void = () => {}
): Promise<string> {
  const home = join(cacheDir, KAFKA_VERSION);
  const jars = join(home, 'jars');
  if (existsSync(join(home, MARKER))) {
    return jars;
  }
  const mvn = process.env.MVN ?? 'mvn';
  assertTool(mvn, ['-v'], 'apt-get install -y maven; or set MVN=/path/to/mvn');
  log(`Resolving Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${home} (once, ~45 MB)...`);
  const staging = `${home}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'pom.xml'), pom());
  try {
    await run(
      mvn,
      [
        '-q',
        '-B',
        'dependency:copy-dependencies',
        '-DincludeScope=runtime',
        `-DoutputDirectory=${join(staging, 'jars')}`,
      ],
      {
        cwd: staging,
        maxBuffer: 16 * 1024 * 1024,
      }
    );
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const { stdout, message } = error as { stdout?: string; message: string };
    throw new Error(`Could not resolve the Kafka jars with Maven (needs Maven Central): ${message}\n${stdout ?? ''}`);
  }
  writeFileSync(join(staging, MARKER), `org.apache.kafka:kafka_2.13:${KAFKA_VERSION}\n`);
  if (existsSync(join(home, MARKER))) {
    rmSync(staging, { recursive: true, force: true }); // another process finished first
  } else {
    rmSync(home, { recursive: true, force: true });
    renameSync(staging, home);
  }
  return jars;
}

/** A combined broker + controller on loopback; topics are created explicitly, never by a typo. */
function serverProperties(dataDir: string, port: number, controllerPort: number): string {
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'inter.broker.listener.name=PLAINTEXT',
    `log.dirs=${join(dataDir, 'log')}`,
    'auto.create.topics.enable=false',
    // One broker: every internal topic has one replica. Few partitions keep the first group join fast.
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=4',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    // A new consumer group starts at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms=0',
    'num.network.threads=2',
    'num.io.threads=4',
  ].join('\n')}\n`;
}

/** Warnings and errors only, on stdout (kept by the process runner for start-up diagnostics). */
const LOG4J2_YAML = `Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        Pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
`;

/** Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding. */
function clusterId(): string {
  return randomBytes(16).toString('base64url');
}

/** The client and controller ports: as given, else free ones that differ from each other and from the given one. */
async function listenerPorts(options: KafkaBrokerOptions): Promise<[number, number]> {
  const spare = (await freePorts(3)).filter((p) => p !== options.port && p !== options.controllerPort);
  const port = options.port ?? spare.shift()!;
  const controllerPort = options.controllerPort ?? spare.shift()!;
  return [port, controllerPort];
}

export class KafkaBroker {
  private process: ManagedProcess | undefined;
  /** Milliseconds of the last start, from spawning the JVM to the topics existing. */
  startupMs = 0;

  private constructor(
    readonly port: number,
    private readonly controllerPort: number,
    readonly dataDir: string,
    private readonly ownsDataDir: boolean,
    private readonly classPath: string,
    private readonly options: KafkaBrokerOptions
  ) {}

  /** `host:port` for clients. */
  get bootstrap(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  static async start(options: KafkaBrokerOptions = {}): Promise<KafkaBroker> {
    const javaCommand = java();
    const jars = await ensureKafkaJars(options.cacheDir, options.log);
    const ownsDataDir = options.dataDir === undefined;
    const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'iotlab-kafka-'));
    const [port, controllerPort] = await listenerPorts(options);
    const broker = new KafkaBroker(port, controllerPort, dataDir, ownsDataDir, join(jars, '*'), options);
    await broker.format(javaCommand);
    await broker.launch(javaCommand);
    return broker;
  }

  /** Formats the metadata log once; a restart reuses it (and the topics' data). */
  private async format(javaCommand: string): Promise<void> {
    mkdirSync(this.dataDir, { recursive: true });
    writeFileSync(
      join(this.dataDir, 'server.properties'),
      serverProperties(this.dataDir, this.port, this.controllerPort)
    );
    writeFileSync(join(this.dataDir, 'log4j2.yaml'), LOG4J2_YAML);
    if (existsSync(join(this.dataDir, 'log', 'meta.properties'))) {
      return;
    }
    try {
      await run(javaCommand, [
        ...this.jvmFlags('256m'),
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId(),
        '-c',
        join(this.dataDir, 'server.properties'),
      ]);
    } catch (error) {
      const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message: string };
      throw new Error(`Kafka storage format failed: ${message}\n${stdout ?? ''}${stderr ?? ''}`);
    }
  }

  private jvmFlags(heap: string): string[] {
    return [`-Xmx${heap}`, `-Dlog4j2.configurationFile=${join(this.dataDir, 'log4j2.yaml')}`, '-cp', this.classPath];
  }

  private async launch(javaCommand: string): Promise<void> {
    const started = Date.now();
    if (await isPortOpen(this.port)) {
      throw new Error(`Kafka: port ${this.port} is already in use`);
    }
    const topics = this.options.topics ?? DEFAULT_TOPICS;
    this.process = await startProcess({
      name: `Kafka ${KAFKA_VERSION}`,
      command: javaCommand,
      args: [...this.jvmFlags(this.options.maxHeap ?? '1g'), 'kafka.Kafka', join(this.dataDir, 'server.properties')],
      port: this.port,
      // Ready = it answers Kafka's protocol and holds our topics, not merely an open port.
      ready: async () => (await isPortOpen(this.port)) && (await createTopics(this.bootstrap, topics)),
      timeoutMs: this.options.timeoutMs ?? 90_000,
    });
    this.startupMs = Date.now() - started;
  }

  /** Stops the broker (controlled shutdown, SIGKILL after 5 s); the data folder stays for restart(). */
  async stop(): Promise<void> {
    await this.process?.stop();
    this.process = undefined;
  }

  /** Stops and starts again on the same ports and data: what a broker restart looks like to clients. */
  async restart(): Promise<void> {
    await this.stop();
    await this.launch(java());
  }

  /** Stops the broker and deletes its data folder when it made it. */
  async destroy(): Promise<void> {
    await this.stop();
    if (this.ownsDataDir) {
      rmSync(this.dataDir, { recursive: true, force: true });
    }
  }
}

/** True once every topic exists (creating the missing ones); false while the broker is not ready. */
async function createTopics(bootstrap: string, topics: readonly TopicSpec[]): Promise<boolean> {
  const admin = new Admin({ clientId: 'iotlab-stack', bootstrapBrokers: [bootstrap], retries: 0, timeout: 2000 });
  try {
    const existing = new Set(await admin.listTopics());
    for (const topic of topics.filter((t) => !existing.has(t.name))) {
      await admin.createTopics({ topics: [topic.name], partitions: topic.partitions, replicas: 1 });
    }
    return true;
  } catch {
    return false;
  } finally {
    await admin.close().catch(() => undefined);
  }
}
