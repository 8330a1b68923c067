import type { Logger } from './logger';

/**
 * go-plugin's launch contract (docs/grafana-plugin-protocol.md §1.2–1.3): the host
 * sets a magic-cookie variable, and reads exactly one line from our stdout —
 * `CORE|APP|NETWORK|ADDRESS|PROTOCOL` — after which stdout is ignored. Any other
 * byte on stdout before that line breaks the launch ("Unrecognized remote
 * plugin message"), so stdout is reserved for the handshake.
 */

const MAGIC_COOKIE_KEY = 'grafana_plugin_type';
const MAGIC_COOKIE_VALUE = 'datasource';
const CORE_PROTOCOL_VERSION = 1;
const APP_PROTOCOL_VERSION = 2;

export type LaunchProblem = { kind: 'not-launched-by-grafana' } | { kind: 'unsupported-protocol'; offered: string };

/** Why the process must not serve, or undefined when the environment is Grafana's. */
export function launchProblem(env: NodeJS.ProcessEnv): LaunchProblem | undefined {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) {
    return { kind: 'not-launched-by-grafana' };
  }
  const offered = env.PLUGIN_PROTOCOL_VERSIONS;
  if (offered !== undefined && offered.trim() !== '') {
    const versions = offered.split(',').map((v) => Number.parseInt(v.trim(), 10));
    if (!versions.includes(APP_PROTOCOL_VERSION)) {
      return { kind: 'unsupported-protocol', offered };
    }
  }
  return undefined;
}

export function describeLaunchProblem(problem: LaunchProblem, executable: string): string {
  if (problem.kind === 'unsupported-protocol') {
    return (
      `${executable}: the host offers plugin protocol versions ${problem.offered}, ` +
      `but this backend speaks version ${APP_PROTOCOL_VERSION} only.\n`
    );
  }
  return (
    `${executable} is a Grafana backend plugin: Grafana starts it, it is not meant to be run by hand.\n` +
    `(It expects the environment variable ${MAGIC_COOKIE_KEY}=${MAGIC_COOKIE_VALUE}, which Grafana sets.)\n`
  );
}

/** `address` is `127.0.0.1:PORT`. */
export function handshakeLine(address: string): string {
  return `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|tcp|${address}|grpc\n`;
}

type Write = (chunk: string) => boolean;

/**
 * Reserves stdout for the handshake: console.log/info/debug become JSON log
 * lines on stderr, and direct writes to process.stdout (a library banner) are
 * diverted to stderr. Returns the only writer that still reaches stdout.
 */
export function reserveStdout(logger: Logger): Write {
  const stdoutWrite = process.stdout.write.bind(process.stdout) as Write;
  const toStderr = process.stderr.write.bind(process.stderr);
  process.stdout.write = toStderr as typeof process.stdout.write;
  const log =
    (level: 'info' | 'debug') =>
    (...args: unknown[]): void =>
      logger[level](args.map((a) => (typeof a === 'string' ? a : safeInspect(a))).join(' '), { source: 'console' });
  console.log = log('info');
  console.info = log('info');
  // eslint-disable-next-line no-console -- rerouted to the JSON logger, not called
  console.debug = log('debug');
  return stdoutWrite;
}

function safeInspect(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
