/**
 * JSON from Grafana (query models, jsonData, Live payloads, resource bodies),
 * parsed with a bound on nesting. V8's JSON.parse itself copes with any depth,
 * but every recursive walk after it (JSON.stringify, a validator, structured
 * clone) overflows the stack on 100,000 nested arrays, and a 500 "Maximum call
 * stack size exceeded" would name nothing. So the text is scanned first — a
 * loop, no recursion — and a value nested deeper than MAX_JSON_DEPTH is refused
 * with the path where it passed the limit.
 */

/** Arrays and objects inside one another; the query model needs fewer than 10. */
export const MAX_JSON_DEPTH = 64;

/** Path segments shown in a "too deep" message before it is cut short. */
const SHOWN_SEGMENTS = 4;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

interface Level {
  kind: 'object' | 'array';
  /** Array: index of the current element. */
  index: number;
  /** Object: [start, end) of the current key's JSON string (quotes included). */
  key?: [number, number];
  expectKey: boolean;
}

function segment(text: string, level: Level): string {
  if (level.kind === 'array') {
    return `[${level.index}]`;
  }
  const key = level.key ? (JSON.parse(text.slice(level.key[0], level.key[1])) as string) : '?';
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

function describePath(text: string, stack: readonly Level[]): string {
  const shown = stack.slice(0, SHOWN_SEGMENTS).map((level) => segment(text, level));
  return shown.join('') + (stack.length > SHOWN_SEGMENTS ? '…' : '');
}

/**
 * The path below the root (e.g. `.sensors[0][0][0]…`) at which `text` nests
 * arrays/objects deeper than `limit` ('' when the root itself is too deep),
 * or undefined when it does not. Text that is not JSON is scanned as far as it
 * goes; JSON.parse reports its syntax errors.
 */
export function tooDeepPath(text: string, limit = MAX_JSON_DEPTH): string | undefined {
  const stack: Level[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i;
      for (i++; i < text.length && text.charCodeAt(i) !== QUOTE; i++) {
        if (text.charCodeAt(i) === BACKSLASH) {
          i++;
        }
      }
      const top = stack[stack.length - 1];
      if (top?.kind === 'object' && top.expectKey) {
        top.key = [start, i + 1];
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (stack.length === limit) {
        return describePath(text, stack);
      }
      stack.push({ kind: c === OPEN_BRACE ? 'object' : 'array', index: 0, expectKey: c === OPEN_BRACE });
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      stack.pop();
    } else if (c === COMMA) {
      const top = stack[stack.length - 1];
      if (top) {
        top.index++;
        top.expectKey = top.kind === 'object';
      }
    } else if (c === COLON) {
      const top = stack[stack.length - 1];
      if (top) {
        top.expectKey = false;
      }
    }
  }
  return undefined;
}

export class JsonInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JsonInputError';
  }
}

/**
 * Parses JSON text whose nesting is bounded; throws JsonInputError naming
 * `what` (and the path, when too deep) otherwise.
 */
export function parseBoundedJson(text: string, what: string): unknown {
  const deep = tooDeepPath(text);
  if (deep !== undefined) {
    throw new JsonInputError(
      `${what}${deep}: nested more than ${MAX_JSON_DEPTH} levels deep (arrays and objects); nothing we read is nested that deep`
    );
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new JsonInputError(`${what}: must be valid JSON (${reason})`, { cause });
  }
}
