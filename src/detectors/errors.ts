import { mustBe } from './constraints';

/**
 * The one error type the detectors throw for bad input or misuse.
 *
 * `parameter` names what was wrong (an option such as `contamination`, or the
 * input itself, e.g. `data` or `row 12, feature 3`), `allowed` says what would
 * have been accepted, so the query layer can pass both on to the user verbatim.
 */
export class DetectorInputError extends Error {
  constructor(
    readonly parameter: string,
    readonly allowed: string,
    readonly got: unknown
  ) {
    super(mustBe(parameter, allowed, got));
    this.name = 'DetectorInputError';
  }
}

/** Throws unless `value` is an integer in [min, max]. */
export function requireIntegerIn(parameter: string, value: unknown, min: number, max: number): number {
  const allowed = `an integer from ${min} to ${max}`;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new DetectorInputError(parameter, allowed, value);
  }
  return value;
}

/**
 * What long-running detector calls poll to stop early: an AbortSignal has this
 * shape, and so does a flag backed by a SharedArrayBuffer in a worker thread.
 */
export interface AbortCheck {
  readonly aborted: boolean;
}

/** Thrown when an {@link AbortCheck} reports abort mid-run; named like a DOM abort. */
export class DetectorAbortedError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'AbortError';
  }
}

export function throwIfAborted(signal: AbortCheck | undefined): void {
  if (signal?.aborted) {
    throw new DetectorAbortedError();
  }
}
