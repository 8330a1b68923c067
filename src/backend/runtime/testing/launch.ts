/**
 * Starts the backend as Grafana does — a child process with the magic cookie
 * — and reads its handshake. Uses the built executable when present (what
 * Grafana runs), else the TypeScript entry through tsx.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..', '..');
export const BUILT_EXECUTABLE = join(ROOT, 'dist', 'gpx_iotlab_anomaly_linux_amd64');

export function backendCommand(): { command: string; args: string[]; kind: 'executable' | 'tsx' } {
  const override = process.env.BACKEND_EXECUTABLE;
  if (override) {
    return { command: override, args: [], kind: 'executable' };
  }
  if (existsSync(BUILT_EXECUTABLE)) {
    return { command: BUILT_EXECUTABLE, args: [], kind: 'executable' };
  }
  return {
    command: join(ROOT, 'node_modules', '.bin', 'tsx'),
    args: [join(ROOT, 'src', 'backend', 'main.ts')],
    kind: 'tsx',
  };
}

export interface LaunchedBackend {
  child: ChildProcessWithoutNullStreams;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function launchBackend(env: NodeJS.ProcessEnv = { grafana_plugin_type: 'datasource' }): LaunchedBackend {
  const { command, args } = backendCommand();
  // Like Grafana: the plugin inherits the host environment plus go-plugin's variables.
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal }))
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Resolves with the first stdout line (the handshake), rejects if the process exits first. */
export function handshake(backend: LaunchedBackend, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no handshake within ${timeoutMs} ms; stderr: ${backend.stderr()}`)),
      timeoutMs
    );
    const check = (): void => {
      const newline = backend.stdout().indexOf('\n');
      if (newline >= 0) {
        clearTimeout(timer);
        backend.child.stdout.off('data', check);
        resolve(backend.stdout().slice(0, newline + 1));
      }
    };
    backend.child.stdout.on('data', check);
    void backend.exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`backend exited (${code}) before the handshake; stderr: ${backend.stderr()}`));
    });
  });
}

export function addressOf(handshakeLine: string): string {
  return handshakeLine.trim().split('|')[3]!;
}
