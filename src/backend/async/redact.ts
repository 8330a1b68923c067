/**
 * The backend's one way to keep secrets out of text that leaves it (logs,
 * error messages, health results), with one marker. Two layers:
 * - by key: any property whose name looks like a credential is replaced, at any depth;
 * - by value: known plaintext secrets (Grafana's `decryptedSecureJsonData`, the
 *   AWS keys of a connection) are masked wherever they appear inside a string
 *   (an error message quoting a URL with a token, a stack trace, …).
 */

export const REDACTED = '[REDACTED]';

const SECRET_KEY =
  /secret|passw(or)?d|passwd|token|access_?key|api_?key|authorization|cookie|credential|private_?key|securejsondata/i;

/**
 * Values shorter than this are only masked by key: masking every occurrence of
 * a two-character secret inside log text would destroy the text and, worse,
 * reveal the secret by where the masks land.
 */
const MIN_MASKED_VALUE_LENGTH = 4;

/** Objects are summarised below this depth: logs need the shape, not a dump. */
const MAX_DEPTH = 8;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** One pattern matching every maskable secret, longest first so a secret containing another is masked whole. */
function secretPattern(values: Iterable<string | undefined>): RegExp | undefined {
  const maskable = new Set<string>();
  for (const value of values) {
    if (typeof value === 'string' && value.length >= MIN_MASKED_VALUE_LENGTH) {
      maskable.add(value);
    }
  }
  if (maskable.size === 0) {
    return undefined;
  }
  const escaped = [...maskable].sort((a, b) => b.length - a.length).map(escapeRegExp);
  return new RegExp(escaped.join('|'), 'g');
}

/** `text` with every occurrence of each secret (four characters or longer) replaced by REDACTED. */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  const pattern = secretPattern(secrets);
  return pattern ? text.replace(pattern, REDACTED) : text;
}

/** Secrets registered over time (one registry per process), masked in everything it is given. */
export class SecretRegistry {
  private readonly values = new Set<string>();
  private pattern: RegExp | undefined;

  register(secrets: Iterable<string>): void {
    const before = this.values.size;
    for (const value of secrets) {
      if (typeof value === 'string' && value.length >= MIN_MASKED_VALUE_LENGTH) {
        this.values.add(value);
      }
    }
    if (this.values.size !== before) {
      this.pattern = secretPattern(this.values);
    }
  }

  maskString(text: string): string {
    return this.pattern ? text.replace(this.pattern, REDACTED) : text;
  }

  /** A copy of `value` safe to log: credential keys and known secret values masked. */
  redact(value: unknown, depth = 0): unknown {
    if (typeof value === 'string') {
      return this.maskString(value);
    }
    if (value === null || typeof value !== 'object') {
      return typeof value === 'bigint' ? value.toString() : value;
    }
    if (depth >= MAX_DEPTH) {
      return '[…]';
    }
    if (value instanceof Error) {
      return this.maskString(`${value.name}: ${value.message}`);
    }
    if (Array.isArray(value)) {
      return value.map((item) => this.redact(item, depth + 1));
    }
    if (ArrayBuffer.isView(value)) {
      return `<${value.constructor.name} ${value.byteLength} bytes>`;
    }
    const entries = value instanceof Map ? [...value].map(([key, item]) => [String(key), item]) : Object.entries(value);
    // No prototype: a logged key "__proto__" stays a key.
    const out = Object.create(null) as Record<string, unknown>;
    for (const [key, item] of entries) {
      out[key] = isSecretKey(key) ? REDACTED : this.redact(item, depth + 1);
    }
    return out;
  }
}
