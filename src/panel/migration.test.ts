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

describe('hand-edited panel options', () => {
  const HAND_EDITED = {
    legend: null,
    tooltip: 'single',
    anomalies: { color: 5, size: -3, showCount: 'yes' },
    futureOption: { kept: true },
  };

  it('are migrated, though saved by this version', () => {
    expect(needsMigration({ options: HAND_EDITED })).toBe(true);
    expect(
      needsMigration({
        options: { ...DEFAULT_PANEL_OPTIONS, legend: { ...DEFAULT_PANEL_OPTIONS.legend, calcs: null } },
      })
    ).toBe(true);
  });

  it('fall back to the default wherever a value has the wrong type, and keep what the panel does not know', () => {
    expect(migrateOptions(HAND_EDITED)).toEqual({ ...DEFAULT_PANEL_OPTIONS, futureOption: { kept: true } });
  });

  it('keep every well-typed choice, including Grafana’s own legend and tooltip options', () => {
    const chosen = {
      legend: { showLegend: false, displayMode: 'table', placement: 'right', calcs: ['mean', 7], width: 200 },
      tooltip: { mode: 'multi', sort: 'desc', hideZeros: true, maxWidth: 300 },
      anomalies: { color: '#ff0000', size: 12, showScoreBand: true, showCount: false },
    };
    expect(migrateOptions(chosen)).toEqual({ ...chosen, legend: { ...chosen.legend, calcs: ['mean'] } });
  });

  it('replace a legend placement or tooltip mode Grafana does not draw', () => {
    const odd = { legend: { ...DEFAULT_PANEL_OPTIONS.legend, placement: 'top' }, tooltip: { mode: 'all' } };
    expect(migrateOptions(odd)).toEqual(DEFAULT_PANEL_OPTIONS);
  });
});
