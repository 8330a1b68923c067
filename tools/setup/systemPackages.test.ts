import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'systemPackages.sh');

interface Run {
  status: number | null;
  output: string;
}

function run(purpose: string, env: Record<string, string> = {}): Run {
  const result = spawnSync('bash', [SCRIPT, purpose], {
    encoding: 'utf8',
    env: { ...process.env, IOTLAB_SETUP_SIMULATE_MISSING: '', IOTLAB_SETUP_NO_INSTALL: '', ...env },
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * These tests never install anything: the "missing" packages are simulated,
 * and the install branch runs against a fake apt-get that only records its arguments.
 */
describe('tools/setup/systemPackages.sh', () => {
  // `npm test` runs this script before the unit tests, so the machine has everything by now.
  it('passes quietly when everything is installed', () => {
    expect(run('test')).toEqual({ status: 0, output: 'systemPackages: everything test needs is installed\n' });
  });

  it('refuses an unknown purpose', () => {
    const { status, output } = run('deploy');
    expect(status).toBe(2);
    expect(output).toContain('unknown purpose "deploy"');
  });

  it('stops at once with the exact apt-get command when it may not install', () => {
    const { status, output } = run('test', {
      IOTLAB_SETUP_SIMULATE_MISSING: 'chromium,java',
      IOTLAB_SETUP_NO_INSTALL: '1',
    });
    expect(status).toBe(1);
    expect(output).toContain('missing java: Java 17+ for DynamoDB Local');
    expect(output).toContain('missing chromium: headless Chromium');
    expect(output).toContain('cannot continue (IOTLAB_SETUP_NO_INSTALL=1)');
    expect(output).toMatch(/^ {2}(sudo )?apt-get update && (sudo )?apt-get install -y default-jre-headless chromium$/m);
  });

  it('checks only what the purpose needs: npm start needs no browser', () => {
    const start = run('start', { IOTLAB_SETUP_SIMULATE_MISSING: 'chromium', IOTLAB_SETUP_NO_INSTALL: '1' });
    const test = run('test', { IOTLAB_SETUP_SIMULATE_MISSING: 'chromium', IOTLAB_SETUP_NO_INSTALL: '1' });
    expect(start.output).not.toContain('missing chromium');
    expect(test.output).toContain('missing chromium');
    expect(test.status).toBe(1);
  });

  it('says how to get Go, which does not come from apt, before installing anything', () => {
    const { status, output } = run('ci', { IOTLAB_SETUP_SIMULATE_MISSING: 'go,python-venv' });
    expect(status).toBe(1);
    expect(output).toContain('apt-get install -y python3-venv');
    expect(output).toContain('Go: install Go 1.21 or newer from https://go.dev/dl/');
    expect(output).not.toContain('installing');
  });

  const isRoot = process.getuid?.() === 0;
  const canDropRoot = isRoot && spawnSync('setpriv', ['--version']).status === 0;

  (canDropRoot ? it : it.skip)('asks a user who is not root to run the command with sudo', () => {
    const result = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'bash', SCRIPT, 'test'], {
      encoding: 'utf8',
      env: { ...process.env, IOTLAB_SETUP_SIMULATE_MISSING: 'chromium', IOTLAB_SETUP_NO_INSTALL: '' },
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('cannot continue (not root)');
    expect(result.stderr).toContain('  sudo apt-get update && sudo apt-get install -y chromium');
  });

  describe('as root with apt-get', () => {
    let bin: string;
    beforeEach(() => {
      bin = mkdtempSync(join(tmpdir(), 'iotlab-setup-'));
    });
    afterEach(() => rmSync(bin, { recursive: true, force: true }));

    function fakeAptGet(exitCode: number): string {
      const calls = join(bin, 'calls.txt');
      writeFileSync(join(bin, 'apt-get'), `#!/bin/sh\necho "$*" >> "${calls}"\nexit ${exitCode}\n`);
      chmodSync(join(bin, 'apt-get'), 0o755);
      return calls;
    }

    const asRoot = isRoot ? it : it.skip;

    asRoot('runs apt-get update and install, then checks again and names what is still missing', () => {
      const calls = fakeAptGet(0);
      const { status, output } = run('test', {
        IOTLAB_SETUP_SIMULATE_MISSING: 'arm64-strip',
        PATH: `${bin}:${process.env.PATH}`,
      });
      expect(readFileSync(calls, 'utf8').split('\n')).toEqual([
        '-o DPkg::Lock::Timeout=300 update -qq',
        '-o DPkg::Lock::Timeout=300 install -y -qq binutils-aarch64-linux-gnu',
        '',
      ]);
      // The simulated package stays "missing": the re-check after the install must catch that.
      expect(status).toBe(1);
      expect(output).toContain('still missing after apt-get: arm64-strip');
    });

    asRoot('shows the command when apt-get fails', () => {
      fakeAptGet(100);
      const { status, output } = run('start', {
        IOTLAB_SETUP_SIMULATE_MISSING: 'python-venv',
        PATH: `${bin}:${process.env.PATH}`,
      });
      expect(status).toBe(1);
      expect(output).toContain('apt-get failed; the command was: apt-get update && apt-get install -y python3-venv');
    });
  });
});
