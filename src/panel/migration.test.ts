import { standardEditorsRegistry } from '@grafana/data';

import { plugin } from './module';
import { migrateOptions, needsMigration } from './migration';
import { DEFAULT_PANEL_OPTIONS } from './types';

/** The option editors Grafana registers at boot; the defaults are read without rendering them. */
const EDITOR_IDS = ['boolean', 'color', 'number', 'radio', 'select', 'slider', 'stats-picker', 'text', 'unit'];
standardEditorsRegistry.setInit(() => EDITOR_IDS.map((id) => ({ id, name: id, editor: () => null })));

/** A panel as the provisioned dashboard saved it with the first version of the plugin. */
const FIRST_VERSION_PANEL = {
  type: 'iotlab-anomaly-panel',
  pluginVersion: undefined,
  options: { valueField: 'temperature', pointSize: 9, pointColor: 'orange', showScoreBand: true, showCount: false },
};

describe('panel options migration', () => {
  it('turns the first version’s flat options into today’s shape', () => {
    expect(migrateOptions(FIRST_VERSION_PANEL.options)).toMatchSnapshot();
  });

  it('runs only on options of the first shape', () => {
    expect(needsMigration(FIRST_VERSION_PANEL)).toBe(true);
    expect(needsMigration({ options: DEFAULT_PANEL_OPTIONS })).toBe(false);
    expect(needsMigration({})).toBe(false);
  });

  it('fills defaults for anything the old options did not say', () => {
    expect(migrateOptions({ pointColor: '' })).toEqual(DEFAULT_PANEL_OPTIONS);
  });

  it('is registered with the plugin, so Grafana calls it on load', () => {
    expect(plugin.onPanelMigration?.(FIRST_VERSION_PANEL as never)).toEqual(
      migrateOptions(FIRST_VERSION_PANEL.options)
    );
    expect(plugin.shouldMigrate?.(FIRST_VERSION_PANEL as never)).toBe(true);
  });
});

describe('panel defaults', () => {
  it('match the options type’s defaults, so a new panel and a migrated one look the same', () => {
    expect(plugin.defaults).toEqual(DEFAULT_PANEL_OPTIONS);
  });
});
