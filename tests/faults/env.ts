/** Set by globalSetup: where the fault tests find the S3 server. */
export const ENV_S3 = 'IOTLAB_FAULTS_S3_ENDPOINT';
