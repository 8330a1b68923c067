import { isSecretKey, REDACTED, SecretRegistry } from '../async/redact';

/**
 * hclog-style JSON lines on stderr, the format Grafana's plugin log wrapper
 * parses (docs/grafana-plugin-protocol.md §1.5): `@level`, `@message`,
 * `@timestamp` with exactly six fractional digits (Go layout
 * 2006-01-02T15:04:05.000000Z07:00 — a 3-digit JS ISO string would make Grafana
 * treat the whole line as raw text at debug level), `@module`, then key/values.
 */

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface Logger {
  trace(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger for a sub-module (`@module` = `parent.name`) with fields added to every line. */
  child(module: string, fields?: LogFields): Logger;
}

export interface LoggerOptions {
  module: string;
  level?: LogLevel;
  /** Where finished lines go (default: process.stderr). Tests capture them here. */
  write?: (line: string) => void;
  /** Masks secrets; shared so that secrets registered anywhere are masked everywhere. */
  secrets?: SecretRegistry;
  /** Epoch milliseconds, a fraction allowed (default: Date.now). */
  now?: () => number;
}

/** Process-wide secret registry used by loggers that are not given one. */
export const processSecrets = new SecretRegistry();

/**
 * Formats epoch milliseconds (with fraction) as UTC with exactly six fractional
 * digits, e.g. `2024-05-01T12:00:00.123456Z`.
 */
export function formatTimestamp(epochMs: number): string {
  const wholeMs = Math.floor(epochMs);
  const micros = Math.min(999, Math.floor((epochMs - wholeMs) * 1000));
  const iso = new Date(wholeMs).toISOString(); // …T12:00:00.123Z
  return `${iso.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
}

function levelFromEnv(): LogLevel {
  const wanted = (process.env.GF_PLUGIN_LOG_LEVEL ?? '').toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(wanted) ? (wanted as LogLevel) : 'debug';
}

/** Keys the line format owns; a caller's field with one of these names is prefixed. */
const RESERVED = new Set(['@level', '@message', '@timestamp', '@module']);

class JsonLogger implements Logger {
  constructor(
    private readonly module: string,
    private readonly minLevel: number,
    private readonly fields: LogFields,
    private readonly write: (line: string) => void,
    private readonly secrets: SecretRegistry,
    private readonly now: () => number
  ) {}

  trace(message: string, fields?: LogFields): void {
    this.log('trace', message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.log('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.log('error', message, fields);
  }

  child(module: string, fields?: LogFields): Logger {
    return new JsonLogger(
      `${this.module}.${module}`,
      this.minLevel,
      { ...this.fields, ...fields },
      this.write,
      this.secrets,
      this.now
    );
  }

  private log(level: LogLevel, message: string, fields?: LogFields): void {
    if (LOG_LEVELS.indexOf(level) < this.minLevel) {
      return;
    }
    const line: Record<string, unknown> = {
      '@level': level,
      '@message': this.secrets.maskString(message),
      '@timestamp': formatTimestamp(this.now()),
      '@module': this.module,
    };
    for (const [key, value] of Object.entries({ ...this.fields, ...fields })) {
      const name = RESERVED.has(key) ? `_${key}` : key;
      line[name] = isSecretKey(key) ? REDACTED : this.secrets.redact(value);
    }
    this.write(`${safeStringify(line)}\n`);
  }
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    const {
      '@level': level,
      '@message': message,
      '@timestamp': timestamp,
      '@module': module,
    } = value as Record<string, unknown>;
    return JSON.stringify({ '@level': level, '@message': message, '@timestamp': timestamp, '@module': module });
  }
}

let stderrOpen = true;

/**
 * Writes a line to stderr until stderr breaks (EPIPE once the host that read it
 * is gone), then drops lines: logging must never throw, and re-logging the
 * failure of a write would spin forever.
 */
function writeStderr(line: string): void {
  if (stderrOpen) {
    process.stderr.write(line);
  }
}

/** Registers `onClose` for when stderr breaks; logging to it stops then. */
export function watchStderr(onClose: (error: Error) => void): void {
  process.stderr.on('error', (error) => {
    stderrOpen = false;
    onClose(error);
  });
}

export function isStderrOpen(): boolean {
  return stderrOpen;
}

export function createLogger(options: LoggerOptions): Logger {
  const write = options.write ?? writeStderr;
  return new JsonLogger(
    options.module,
    LOG_LEVELS.indexOf(options.level ?? levelFromEnv()),
    {},
    write,
    options.secrets ?? processSecrets,
    // Date.now, not performance.timeOrigin + now(): the monotonic clock drifts from
    // wall time over days of uptime; log times must match Grafana's own.
    options.now ?? Date.now
  );
}
