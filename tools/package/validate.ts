/**
 * `npm run validate`: runs Grafana's plugin validator (`plugincheck2`, from
 * github.com/grafana/plugin-validator) on the zip `npm run package` wrote, with
 * this project's settings (validator.yaml).
 *
 * The validator is not a dependency: its npm package downloads the binary from
 * GitHub at first use, and the Go module proxy this project's machines use
 * does not serve it. Where it is installed (PATH or PLUGINCHECK2), this runs
 * it; elsewhere it says how to get it.
 *
 * Options: --zip=<file> validates another archive.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = join(__dirname, '..', '..');

const HOW_TO_GET_IT = `plugincheck2 (Grafana's plugin validator) is not installed. Where GitHub or Docker Hub is reachable:
  npx -y @grafana/plugin-validator@latest -config tools/package/validator.yaml <zip>   (fetches the binary from GitHub)
  go install github.com/grafana/plugin-validator/pkg/cmd/plugincheck2@latest
  docker run --rm -v "$PWD:/src" grafana/plugin-validator-cli -config /src/tools/package/validator.yaml /src/artifacts/<zip>
With plugincheck2 on PATH (or PLUGINCHECK2=/path/to/plugincheck2), npm run validate runs it.`;

function archivePath(): string {
  const flag = process.argv.find((arg) => arg.startsWith('--zip='));
  if (flag) {
    return resolve(flag.slice('--zip='.length));
  }
  const { id } = JSON.parse(readFileSync(join(root, 'plugin.json'), 'utf8')) as { id: string };
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  return join(root, 'artifacts', `${id}-${version}.zip`);
}

function validatorBinary(): string | undefined {
  if (process.env.PLUGINCHECK2) {
    return process.env.PLUGINCHECK2;
  }
  const found = spawnSync('sh', ['-c', 'command -v plugincheck2'], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

function main(): number {
  const zip = archivePath();
  if (!existsSync(zip)) {
    console.error(`validate: ${zip} not found: run \`npm run build && npm run package\` first`);
    return 1;
  }
  const binary = validatorBinary();
  if (!binary) {
    console.error(`validate: ${HOW_TO_GET_IT}`);
    return 1;
  }
  console.log(`validate: ${binary} on ${zip}`);
  const run = spawnSync(binary, ['-config', join(__dirname, 'validator.yaml'), zip], { stdio: 'inherit' });
  if (run.error) {
    console.error(`validate: could not run ${binary}: ${run.error.message}`);
    return 1;
  }
  return run.status ?? 1;
}

process.exit(main());
