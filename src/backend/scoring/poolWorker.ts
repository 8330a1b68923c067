/**
 * The script each pool thread runs (piscina loads it and calls the export
 * named by a task). Bundled on its own by the backend build and embedded in
 * the executable; see pool.ts.
 *
 * A pool thread runs at a lower scheduling priority than the event loop's
 * thread: when every core is busy scoring, the kernel still runs the thread
 * that answers Grafana's health checks, Live streams and Shutdown first.
 * Linux gives each thread its own nice value (setpriority on its thread id,
 * read from /proc/thread-self); elsewhere the thread keeps the default.
 */
// The thread's own scheduling priority, read from /proc: not data I/O, which the scoring layer never does.
// eslint-disable-next-line no-restricted-imports
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';

/** Nice value of pool threads (0 = the event loop's; 19 = the lowest). */
const THREAD_NICE = 10;

function lowerThisThreadsPriority(): void {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(tid) && tid > 0) {
      setPriority(tid, THREAD_NICE);
    }
  } catch {
    // Not Linux, or no /proc: the thread keeps the process's priority.
  }
}

lowerThisThreadsPriority();

export {
  dbscanRange,
  finishTrainingTask,
  growForestTask,
  inspectModel,
  prepareTrainingTask,
  scoreChunk,
  scoreForestTask,
  trainJobsTask,
  trainTask,
} from './tasks';
