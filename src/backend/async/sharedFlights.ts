import { awaitShared } from './awaitShared';

interface Flight<T> {
  readonly controller: AbortController;
  readonly promise: Promise<T>;
  waiters: number;
  settled: boolean;
}

/**
 * Work shared by every caller that asks for the same key while it runs (one
 * download of a history object, one training of a model). Each caller stops
 * waiting on its own abort signal, so one closed panel never cancels another's
 * answer; when the last caller has stopped waiting, the work's own signal
 * aborts, so nobody's CPU is spent on an answer nobody reads, and the next
 * caller starts afresh.
 */
export class SharedFlights<T> {
  private readonly flights = new Map<string, Flight<T>>();

  /** Joins the flight for `key`, or starts it with `start`; rejects with `cancelled()` when `signal` aborts first. */
  async join(
    key: string,
    start: (signal: AbortSignal) => Promise<T>,
    signal: AbortSignal | undefined,
    cancelled: () => Error
  ): Promise<T> {
    if (signal?.aborted) {
      throw cancelled();
    }
    const flight = this.flights.get(key) ?? this.launch(key, start);
    flight.waiters++;
    try {
      return await awaitShared(flight.promise, signal, cancelled);
    } finally {
      flight.waiters--;
      if (flight.waiters === 0 && !flight.settled) {
        this.flights.delete(key);
        flight.controller.abort(cancelled());
      }
    }
  }

  /** Keys with work under way (for tests and listings). */
  get size(): number {
    return this.flights.size;
  }

  private launch(key: string, start: (signal: AbortSignal) => Promise<T>): Flight<T> {
    const controller = new AbortController();
    const flight: Flight<T> = {
      controller,
      // Started on a later microtask, so the flight is registered before `start` runs.
      promise: Promise.resolve().then(() => start(controller.signal)),
      waiters: 0,
      settled: false,
    };
    void flight.promise
      .finally(() => {
        flight.settled = true;
        if (this.flights.get(key) === flight) {
          this.flights.delete(key);
        }
      })
      // A flight nobody waits for any more must not surface as an unhandled rejection.
      .catch(() => undefined);
    this.flights.set(key, flight);
    return flight;
  }
}
