/**
 * `npm run package`: zips the built plugin as `<id>-<version>.zip` with a
 * `<id>/` top folder, the layout Grafana's plugin installer and the
 * `GF_INSTALL_PLUGINS` URL form expect. Run `npm run build` first.
 *
 * Options: --dist=<dir> packages another build than dist/; --out=<dir> writes
 * the zip elsewhere than artifacts/.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

import { archiveEntries, totalBytes } from './contents';

const root = join(__dirname, '..', '..');

function option(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  return resolve(process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length) ?? fallback);
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

async function main(): Promise<void> {
  const dist = option('dist', join(root, 'dist'));
  const { id, info } = JSON.parse(readFileSync(join(dist, 'plugin.json'), 'utf8')) as {
    id: string;
    info: { version: string };
  };
  const entries = archiveEntries(dist, id);
  const outDir = option('out', join(root, 'artifacts'));
  mkdirSync(outDir, { recursive: true });
  const archive = join(outDir, `${id}-${info.version}.zip`);

  const zip = new ZipFile();
  for (const entry of entries) {
    zip.addFile(entry.source, entry.name, { mode: entry.mode });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(archive));

  const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(1);
  console.log(`${archive}: ${entries.length} files, ${mb(totalBytes(entries))} MiB unpacked`);
  console.log(`sha256 ${await sha256(archive)}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
