import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { archiveEntries, EXECUTABLE_PREFIX, expectedExecutables, referencedAssets, REQUIRED_FILES } from './contents';

describe('archiveEntries', () => {
  let dist: string;

  function write(rel: string): void {
    const path = join(dist, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, rel.endsWith('plugin.json') ? '{}' : rel.startsWith(EXECUTABLE_PREFIX) ? elf(rel) : rel);
  }

  /** The first bytes of a 64-bit little-endian ELF file for the machine its name ends with. */
  function elf(name: string): Buffer {
    const header = Buffer.alloc(64);
    header.writeUInt32BE(0x7f454c46, 0);
    header[4] = 2;
    header[5] = 1;
    header.writeUInt16LE(name.endsWith('_arm64') ? 0xb7 : 0x3e, 18);
    return header;
  }

  beforeEach(() => {
    dist = mkdtempSync(join(tmpdir(), 'iotlab-dist-'));
  });

  afterEach(() => rmSync(dist, { recursive: true, force: true }));

  function writeJson(rel: string, value: unknown): void {
    const path = join(dist, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify(value));
  }

  it('puts every file under the plugin id, executables 0755, without source maps, hidden files or the Kafka worker', () => {
    REQUIRED_FILES.forEach(write);
    write('module.js.map');
    write('.build/main.cjs');
    write('img/.DS_Store');
    write('iotlab-anomaly-worker_linux_amd64');
    write('img/logo.svg');
    chmodSync(join(dist, 'plugin.json'), 0o600);

    const entries = archiveEntries(dist, 'iotlab-anomaly-app');

    expect(entries.map((e) => [e.name, (e.mode & 0o777).toString(8)])).toEqual([
      ['iotlab-anomaly-app/CHANGELOG.md', '644'],
      ['iotlab-anomaly-app/datasource/module.js', '644'],
      ['iotlab-anomaly-app/datasource/plugin.json', '644'],
      ['iotlab-anomaly-app/gpx_iotlab_anomaly_linux_amd64', '755'],
      ['iotlab-anomaly-app/gpx_iotlab_anomaly_linux_arm64', '755'],
      ['iotlab-anomaly-app/img/logo.svg', '644'],
      ['iotlab-anomaly-app/LICENSE', '644'],
      ['iotlab-anomaly-app/module.js', '644'],
      ['iotlab-anomaly-app/panel/module.js', '644'],
      ['iotlab-anomaly-app/panel/plugin.json', '644'],
      ['iotlab-anomaly-app/plugin.json', '644'],
      ['iotlab-anomaly-app/README.md', '644'],
    ]);
    expect(entries.every((e) => (e.mode & 0o170000) === 0o100000)).toBe(true);
  });

  it('names every missing required file', () => {
    write('plugin.json');
    write('module.js');
    expect(() => archiveEntries(dist, 'iotlab-anomaly-app')).toThrow(
      'dist/ is incomplete (missing datasource/plugin.json, datasource/module.js, panel/plugin.json, panel/module.js, ' +
        'gpx_iotlab_anomaly_linux_amd64, gpx_iotlab_anomaly_linux_arm64, README.md, LICENSE, CHANGELOG.md): ' +
        'run `npm run build` first'
    );
  });

  it('refuses a build whose plugin.json files name logos or screenshots it does not hold', () => {
    REQUIRED_FILES.forEach(write);
    write('img/logo.svg');
    writeJson('plugin.json', {
      info: {
        logos: { small: 'img/logo.svg', large: 'img/logo.svg' },
        screenshots: [{ path: 'img/preview-dark.png' }],
      },
    });
    writeJson('panel/plugin.json', { info: { logos: { small: 'img/logo.svg', large: 'img/logo.svg' } } });
    expect(() => archiveEntries(dist, 'iotlab-anomaly-app')).toThrow(
      'plugin.json names files the build does not hold: panel/img/logo.svg, img/preview-dark.png'
    );
  });

  it('names a plugin.json that is not JSON', () => {
    REQUIRED_FILES.forEach(write);
    writeFileSync(join(dist, 'panel/plugin.json'), '{ "info": ');
    expect(() => archiveEntries(dist, 'iotlab-anomaly-app')).toThrow(
      /^panel\/plugin.json in dist\/ is not readable JSON: /
    );
  });

  it('refuses a nested data source whose executable Grafana would look for in its own folder', () => {
    REQUIRED_FILES.forEach(write);
    writeJson('datasource/plugin.json', { executable: 'gpx_iotlab_anomaly' });
    expect(() => archiveEntries(dist, 'iotlab-anomaly-app')).toThrow(
      'Grafana would not find the backend: plugin.json\'s "executable" points at ' +
        'datasource/gpx_iotlab_anomaly_linux_amd64, datasource/gpx_iotlab_anomaly_linux_arm64'
    );
  });

  it('accepts a nested executable that points at the root with ../', () => {
    REQUIRED_FILES.forEach(write);
    writeJson('datasource/plugin.json', { executable: '../gpx_iotlab_anomaly' });
    expect(expectedExecutables(dist, 'datasource/plugin.json')).toEqual([
      'gpx_iotlab_anomaly_linux_amd64',
      'gpx_iotlab_anomaly_linux_arm64',
    ]);
    expect(() => archiveEntries(dist, 'iotlab-anomaly-app')).not.toThrow();
  });

  it('checks the real data source manifest against the layout the build writes', () => {
    REQUIRED_FILES.forEach(write);
    write('datasource/img/logo.svg');
    const manifest = readFileSync(join(__dirname, '../../src/datasource/plugin.json'), 'utf8');
    writeFileSync(join(dist, 'datasource/plugin.json'), manifest);
    expect(() => archiveEntries(dist, 'iotlab-anomaly-app')).not.toThrow();
  });

  it('refuses an executable that is not an ELF file for the platform its name says', () => {
    REQUIRED_FILES.forEach(write);
    writeFileSync(join(dist, 'gpx_iotlab_anomaly_linux_arm64'), elf('gpx_iotlab_anomaly_linux_amd64'));
    expect(() => archiveEntries(dist, 'iotlab-anomaly-app')).toThrow(
      'not an ELF executable for the platform its name says: gpx_iotlab_anomaly_linux_arm64'
    );
    writeFileSync(join(dist, 'gpx_iotlab_anomaly_linux_arm64'), '#!/bin/sh\n');
    expect(() => archiveEntries(dist, 'iotlab-anomaly-app')).toThrow(/gpx_iotlab_anomaly_linux_arm64$/);
  });

  it('lists the assets a nested plugin.json names relative to its own folder', () => {
    writeJson('datasource/plugin.json', {
      info: { logos: { small: 'img/logo.svg', large: 'img/logo.svg' }, screenshots: [{ path: 'img/editor.png' }] },
    });
    expect(referencedAssets(dist, 'datasource/plugin.json')).toEqual([
      'datasource/img/logo.svg',
      'datasource/img/editor.png',
    ]);
  });
});
