import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Target } from './nodeBinaries';

/** Node's documented SEA fuse; postject flips it so the binary runs the injected blob. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * Runs a build step quietly: its chatter (Node's "Wrote … blob", postject's
 * LIEF warnings about Node's many .note sections) is shown only if it fails.
 */
function quietly(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/**
 * Builds a Node single-executable application: the blob is prepared by the
 * same Node version that will run it (`hostNode`), then injected into a copy
 * of the target's Node binary.
 */
export function buildSea(options: {
  bundle: string;
  target: Target;
  hostNode: string;
  workDir: string;
  output: string;
}): void {
  const { bundle, target, hostNode, workDir, output } = options;
  const blob = join(workDir, `sea-${target.platform}.blob`);
  const config = join(workDir, `sea-${target.platform}.json`);
  writeFileSync(
    config,
    JSON.stringify({
      main: bundle,
      output: blob,
      disableExperimentalSEAWarning: true,
      useSnapshot: false,
      useCodeCache: target.useCodeCache,
    })
  );
  quietly(hostNode, ['--experimental-sea-config', config]);

  rmSync(output, { force: true });
  copyFileSync(target.node, output);
  chmodSync(output, 0o755);
  if (target.strip) {
    // Node ships with ~20 MB of symbols; strip before injecting (stripping afterwards would drop the blob).
    quietly(target.strip, ['--strip-all', output]);
  }
  const postject = join(__dirname, '..', '..', 'node_modules', 'postject', 'dist', 'cli.js');
  quietly(hostNode, [postject, output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE, '--overwrite']);
  chmodSync(output, 0o755);
}
