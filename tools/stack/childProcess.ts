/**
 * Starting and stopping the emulators' processes: readiness polling, a bounded
 * start-up, captured output for error messages, and a stop that escalates to
 * SIGKILL so nothing is left behind.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface ManagedProcess {
  name: string;
  pid: number;
  port: number;
  /** Milliseconds from spawn to ready. */
  startupMs: number;
  stop(): Promise<void>;
}

const OUTPUT_TAIL = 4000;

function keepTail(child: ChildProcess): () => string {
  let tail = '';
  const add = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-OUTPUT_TAIL);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => tail;
}

/**
 * Runs `command args` under a tiny POSIX shell guard that kills it when our
 * stdin pipe closes, i.e. when this Node process exits for any reason (even
 * SIGKILL or a crashed test run), so emulators are never orphaned.
 */
function guardedSpawn(command: string, args: string[], options: SpawnOptions | undefined): ChildProcess {
  const script =
    '"$@" & child=$!; trap \'kill $child 2>/dev/null\' TERM INT; read _ignored; kill $child 2>/dev/null; wait $child';
  return spawn('/bin/sh', ['-c', script, 'guard', command, ...args], {
    ...options,
    stdio: ['pipe', 'pipe', 'pipe'],
    // Own process group, so a stop can signal the guard and the emulator together.
    detached: true,
  });
}

function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  return new Promise((resolve) => {
    const pid = child.pid;
    // No pid: it never started. (kill(-0) would signal our own process group.)
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const group = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pid, signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => group('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.end();
    group('SIGTERM');
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Spawns `command`, then polls `ready()` until it resolves true, the process
 * exits, or `timeoutMs` passes (then the process is killed and the error
 * carries the tail of its output).
 */
export async function startProcess(opts: {
  name: string;
  command: string;
  args: string[];
  port: number;
  ready: () => Promise<boolean>;
  timeoutMs: number;
  spawnOptions?: SpawnOptions;
}): Promise<ManagedProcess> {
  const started = Date.now();
  const child = guardedSpawn(opts.command, opts.args, opts.spawnOptions);
  const output = keepTail(child);
  let exited: string | undefined;
  let spawnError: Error | undefined;
  child.once('error', (e) => {
    spawnError = e;
  });
  child.once('exit', (code, signal) => {
    exited = signal ? `signal ${signal}` : `code ${code}`;
  });
  while (Date.now() - started < opts.timeoutMs) {
    if (spawnError) {
      throw new Error(`${opts.name}: could not run "${opts.command}": ${spawnError.message}`);
    }
    if (exited) {
      throw new Error(`${opts.name} exited during start-up (${exited}):\n${output()}`);
    }
    if (await opts.ready()) {
      // Output is only kept for start-up diagnostics; drain it afterwards so pipes never block.
      child.stdout?.resume();
      child.stderr?.resume();
      return {
        name: opts.name,
        pid: child.pid ?? -1,
        port: opts.port,
        startupMs: Date.now() - started,
        stop: () => stopChild(child),
      };
    }
    await sleep(100);
  }
  await stopChild(child);
  throw new Error(`${opts.name} was not ready on port ${opts.port} within ${opts.timeoutMs} ms:\n${output()}`);
}

/** Ready when an HTTP request to `url` gets any response at all. */
export async function httpAnswers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(1000) });
    return true;
  } catch {
    return false;
  }
}
