import { startTestServices, TEST_ENV } from '../../tools/stack/testServices';
import type { ManagedProcess } from '../../tools/stack/childProcess';
import { ENV_DYNAMODB, ENV_S3 } from './emulators';
import { buildScoringWorker } from './scoringWorker';

declare global {
  // Shared with globalTeardown (same process and context).
  var __IOTLAB_EMULATORS__: Array<Pick<ManagedProcess, 'stop'>> | undefined;
}

/**
 * The emulators: the shared test services when tools/test.sh started them
 * (their endpoints are in the environment), else started here for this run,
 * seeded the same way (tools/stack/testServices.ts).
 */
export default async function globalSetup(): Promise<void> {
  const started: Array<Pick<ManagedProcess, 'stop'>> = [];
  globalThis.__IOTLAB_EMULATORS__ = started;
  buildScoringWorker();
  if (process.env[TEST_ENV.dynamodb] && process.env[TEST_ENV.s3]) {
    process.env[ENV_DYNAMODB] ??= process.env[TEST_ENV.dynamodb];
    process.env[ENV_S3] ??= process.env[TEST_ENV.s3];
    console.log(
      `\nemulators: the shared test services (DynamoDB ${process.env[ENV_DYNAMODB]}, S3 ${process.env[ENV_S3]})`
    );
    return;
  }
  const services = await startTestServices({ log: (line) => console.log(`test services: ${line}`) });
  started.push(services);
  Object.assign(process.env, services.env);
  console.log(`\nemulators: started for this run (DynamoDB ${process.env[ENV_DYNAMODB]}, S3 ${process.env[ENV_S3]})`);
}
