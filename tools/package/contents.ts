/**
 * What goes into the plugin archive Grafana installs: the built `dist/`, under a
 * top-level folder named after the plugin id (Grafana's packaging convention),
 * with the backend executables marked executable.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync, statSync } from 'node:fs';
import { join, posix, relative, sep } from 'node:path';

export const EXECUTABLE_PREFIX = 'gpx_iotlab_anomaly_';

/**
 * The Kafka scoring worker's executables, which the backend build also writes
 * into dist/. The worker runs beside Kafka, not inside Grafana, so the plugin
 * archive leaves them out (two executables of ~100 MiB Grafana never starts).
 */
const WORKER_PREFIX = 'iotlab-anomaly-worker_';

/**
 * Files without which Grafana cannot load the app, its data source or its
 * panel on either architecture, or the catalog cannot show it (README, LICENSE,
 * CHANGELOG).
 */
export const REQUIRED_FILES = [
  'plugin.json',
  'module.js',
  'datasource/plugin.json',
  'datasource/module.js',
  'panel/plugin.json',
  'panel/module.js',
  `${EXECUTABLE_PREFIX}linux_amd64`,
  `${EXECUTABLE_PREFIX}linux_arm64`,
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
];

export interface ArchiveEntry {
  /** Path on disk. */
  source: string;
  /** Path inside the archive, always with forward slashes. */
  name: string;
  /** Unix mode including the regular-file type bits, as zip's external attributes carry it. */
  mode: number;
}

const REGULAR_FILE = 0o100000;

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? listFiles(path) : [path];
  });
}

function isExecutable(relativePath: string): boolean {
  return !relativePath.includes('/') && relativePath.startsWith(EXECUTABLE_PREFIX);
}

/**
 * Lists the archive's entries, or throws naming every required file that is
 * missing (so a half-finished build is never shipped), every backend
 * executable a plugin.json points Grafana at that is not there, and every
 * logo or screenshot a plugin.json names that is not there.
 */
export function archiveEntries(distDir: string, pluginId: string): ArchiveEntry[] {
  const files = listFiles(distDir)
    .map((path) => ({ path, rel: relative(distDir, path).split(sep).join('/') }))
    // Source maps stay out of the archive, and so do hidden files and folders (a private backend
    // build keeps its work folder in <out>/.build).
    .filter(({ rel }) => !rel.endsWith('.map') && !rel.split('/').some((part) => part.startsWith('.')))
    .filter(({ rel }) => !rel.startsWith(WORKER_PREFIX))
    .sort((a, b) => a.rel.localeCompare(b.rel));
  const present = new Set(files.map(({ rel }) => rel));
  const missing = REQUIRED_FILES.filter((file) => !present.has(file));
  if (missing.length > 0) {
    throw new Error(`dist/ is incomplete (missing ${missing.join(', ')}): run \`npm run build\` first`);
  }
  const manifests = [...present].filter((rel) => posix.basename(rel) === 'plugin.json');
  const absent = (named: (distDir: string, manifest: string) => string[]) =>
    manifests.flatMap((manifest) => named(distDir, manifest)).filter((file) => !present.has(file));
  const missingExecutables = absent(expectedExecutables);
  if (missingExecutables.length > 0) {
    throw new Error(
      `Grafana would not find the backend: plugin.json's "executable" points at ${missingExecutables.join(', ')}, ` +
        'which the build does not hold (a nested plugin resolves it from its own folder)'
    );
  }
  const wrongMachine = files.filter(({ rel, path }) => isExecutable(rel) && !builtFor(path, rel));
  if (wrongMachine.length > 0) {
    throw new Error(
      `not an ELF executable for the platform its name says: ${wrongMachine.map(({ rel }) => rel).join(', ')}`
    );
  }
  const missingAssets = absent(referencedAssets);
  if (missingAssets.length > 0) {
    throw new Error(
      `plugin.json names files the build does not hold: ${missingAssets.join(', ')} ` +
        '(logos come from src/img/, screenshots from docs/img/)'
    );
  }
  return files.map(({ path, rel }) => ({
    source: path,
    name: `${pluginId}/${rel}`,
    mode: REGULAR_FILE | (isExecutable(rel) ? 0o755 : 0o644),
  }));
}

interface Manifest {
  executable?: string;
  info?: { logos?: { small?: string; large?: string }; screenshots?: Array<{ path?: string }> };
}

/** The platforms the backend is built for (tools/backend-build/main.ts), with their ELF `e_machine` numbers. */
const ELF_MACHINES = { linux_amd64: 0x3e, linux_arm64: 0xb7 } as const;
export const PLATFORMS = Object.keys(ELF_MACHINES) as Array<keyof typeof ELF_MACHINES>;

/**
 * Whether the file is a 64-bit little-endian ELF executable for the platform
 * at the end of its name. The plugin validator can only tell this for Go
 * executables (from their build info); the backend is a Node single-executable
 * application, so the package checks the ELF header itself.
 */
export function builtFor(path: string, name: string): boolean {
  const platform = PLATFORMS.find((p) => name.endsWith(`_${p}`));
  if (!platform) {
    return false;
  }
  const header = Buffer.alloc(20);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, header, 0, header.length, 0);
  } finally {
    closeSync(fd);
  }
  const isElf64LittleEndian = header.readUInt32BE(0) === 0x7f454c46 && header[4] === 2 && header[5] === 1;
  return isElf64LittleEndian && header.readUInt16LE(18) === ELF_MACHINES[platform];
}

function readManifest(distDir: string, manifest: string): Manifest {
  try {
    return JSON.parse(readFileSync(join(distDir, manifest), 'utf8')) as Manifest;
  } catch (error) {
    throw new Error(`${manifest} in dist/ is not readable JSON: ${error instanceof Error ? error.message : error}`);
  }
}

/**
 * Where Grafana looks for the backend of a plugin.json in dist/: its
 * `executable` resolved from the plugin.json's own folder, plus `_<os>_<arch>`
 * (a nested data source therefore says `../gpx_…` to use the executables at
 * the archive's root). Nothing for a plugin without a backend.
 */
export function expectedExecutables(distDir: string, manifest: string): string[] {
  const { executable } = readManifest(distDir, manifest);
  if (!executable) {
    return [];
  }
  const base = posix.normalize(posix.join(posix.dirname(manifest), executable));
  return PLATFORMS.map((platform) => `${base}_${platform}`);
}

/** The logos and screenshots a plugin.json in dist/ names, as dist-relative paths. */
export function referencedAssets(distDir: string, manifest: string): string[] {
  const { info } = readManifest(distDir, manifest);
  const named = [info?.logos?.small, info?.logos?.large, ...(info?.screenshots ?? []).map((shot) => shot.path)];
  const folder = posix.dirname(manifest);
  return [...new Set(named.filter((file): file is string => Boolean(file)).map((file) => posix.join(folder, file)))];
}

export function totalBytes(entries: readonly ArchiveEntry[]): number {
  return entries.reduce((sum, entry) => sum + statSync(entry.source).size, 0);
}
