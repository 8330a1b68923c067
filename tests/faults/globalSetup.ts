import { resolve } from 'node:path';

import type { ManagedProcess } from '../../tools/stack/childProcess';
import { freePort } from '../../tools/stack/freePort';
import { defaultVenvDir, startS3Server } from '../../tools/stack/s3Server';
import { ENV_S3 } from './env';

declare global {
  // Shared with globalTeardown (same process and context).
  var __IOTLAB_FAULTS_S3__: ManagedProcess | undefined;
}

export default async function globalSetup(): Promise<void> {
  const s3 = await startS3Server({ port: await freePort(), venvDir: defaultVenvDir(resolve(__dirname, '..', '..')) });
  globalThis.__IOTLAB_FAULTS_S3__ = s3;
  process.env[ENV_S3] = s3.endpoint;
}
