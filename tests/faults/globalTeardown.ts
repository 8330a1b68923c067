export default async function globalTeardown(): Promise<void> {
  await globalThis.__IOTLAB_FAULTS_S3__?.stop();
  globalThis.__IOTLAB_FAULTS_S3__ = undefined;
}
