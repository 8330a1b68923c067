/**
 * An S3-compatible server for local runs and integration tests: moto's server
 * (PyPI `moto[server]`, pinned) in a Python venv that is created on first use.
 *
 * Why moto: it is maintained, implements S3's conditional requests
 * (If-None-Match → 304) and ETags like S3, and installs from PyPI alone.
 * s3rver (npm) is unmaintained since 2021 and its maintained fork's current
 * major needs Node ≥ 24 outside `npm run`. moto keeps data in memory: the
 * local stack re-seeds the bucket (idempotently) on every start.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { httpAnswers, startProcess, type ManagedProcess } from './childProcess';

const run = promisify(execFile);

export const MOTO_VERSION = '5.2.5';
const MARKER = `.installed-moto-${MOTO_VERSION}`;

/** Default venv location: <repo>/.data/venvs/moto-<version> (override with IOTLAB_MOTO_VENV). */
export function defaultVenvDir(repoRoot: string): string {
  return process.env.IOTLAB_MOTO_VENV ?? join(repoRoot, '.data', 'venvs', `moto-${MOTO_VERSION}`);
}

/**
 * Creates the venv with moto installed unless it already exists. Installs into
 * a temporary folder and renames it into place, so an interrupted or concurrent
 * install never leaves a half-built venv behind. Quiet unless it fails.
 */
export async function ensureMotoVenv(venvDir: string, log: (line: string) => void = () => {}): Promise<string> {
  const python = join(venvDir, 'bin', 'python');
  if (existsSync(join(venvDir, MARKER))) {
    return python;
  }
  const python3 = process.env.PYTHON ?? 'python3';
  const staging = `${venvDir}.staging-${process.pid}`;
  log(`Installing moto[server]==${MOTO_VERSION} into ${venvDir} (once, ~30 s)...`);
  mkdirSync(join(venvDir, '..'), { recursive: true });
  rmSync(staging, { recursive: true, force: true });
  try {
    await run(python3, ['-m', 'venv', staging]);
    await run(
      join(staging, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', `moto[server]==${MOTO_VERSION}`],
      { maxBuffer: 16 * 1024 * 1024 }
    );
    writeFileSync(join(staging, MARKER), `moto[server]==${MOTO_VERSION}\n`);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `Could not create the moto venv (needs python3 with the venv module, e.g. Debian's python3-venv, and PyPI access): ${err.message}\n${err.stderr ?? ''}`
    );
  }
  if (existsSync(join(venvDir, MARKER))) {
    rmSync(staging, { recursive: true, force: true }); // another process finished first
  } else {
    rmSync(venvDir, { recursive: true, force: true });
    renameSync(staging, venvDir);
  }
  return python;
}

export interface S3ServerOptions {
  port: number;
  /** Bind address (default 127.0.0.1; 0.0.0.0 lets a Grafana container reach it). */
  host?: string;
  venvDir: string;
  timeoutMs?: number;
  log?: (line: string) => void;
}

export async function startS3Server(opts: S3ServerOptions): Promise<ManagedProcess & { endpoint: string }> {
  const python = await ensureMotoVenv(opts.venvDir, opts.log);
  const endpoint = `http://127.0.0.1:${opts.port}`;
  const proc = await startProcess({
    name: 'S3 server (moto)',
    command: python,
    args: ['-m', 'moto.server', '-H', opts.host ?? '127.0.0.1', '-p', String(opts.port)],
    port: opts.port,
    ready: () => httpAnswers(`${endpoint}/moto-api/`),
    timeoutMs: opts.timeoutMs ?? 30_000,
    spawnOptions: { env: { ...process.env, PYTHONUNBUFFERED: '1' } },
  });
  return { ...proc, endpoint };
}
