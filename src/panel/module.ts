import {
  type Field,
  FieldColorModeId,
  type FieldConfigEditorBuilder,
  FieldConfigProperty,
  FieldType,
  PanelPlugin,
  type SelectableValue,
} from '@grafana/data';
import {
  GraphDrawStyle,
  type GraphFieldConfig,
  GraphGradientMode,
  GraphThresholdsStyleMode,
  LineInterpolation,
  VisibilityMode,
} from '@grafana/schema';
import { commonOptionsBuilder, graphFieldOptions } from '@grafana/ui';

import { AnomalyPanel } from './AnomalyPanel';
import { migrateOptions, needsMigration } from './migration';
import { type AnomalyPanelOptions, DEFAULT_PANEL_OPTIONS } from './types';

const STYLES = ['Graph styles'];
const ANOMALIES = ['Anomalies'];

/** The readings' line style defaults: Grafana's time series defaults. */
const GRAPH_DEFAULTS: GraphFieldConfig = {
  drawStyle: GraphDrawStyle.Line,
  lineInterpolation: LineInterpolation.Linear,
  lineWidth: 1,
  fillOpacity: 0,
  gradientMode: GraphGradientMode.None,
  showPoints: VisibilityMode.Never,
  pointSize: 4,
  spanNulls: false,
  axisGridShow: true,
  axisCenteredZero: false,
  axisBorderShow: false,
};

const notPoints = (config: GraphFieldConfig) => config.drawStyle !== GraphDrawStyle.Points;

/** One of the readings' line style options (category "Graph styles"); its default comes from GRAPH_DEFAULTS. */
type StyleOption = {
  path: keyof GraphFieldConfig;
  name: string;
  description?: string;
  showIf?: (config: GraphFieldConfig) => boolean;
  shouldApply?: (field: Field) => boolean;
} & (
  | { editor: 'radio'; options: Array<SelectableValue<unknown>> }
  | { editor: 'slider'; min: number; max: number }
  | { editor: 'switch' }
);

/** The time series panel's style options, in its order. */
const STYLE_OPTIONS: StyleOption[] = [
  { editor: 'radio', path: 'drawStyle', name: 'Style', options: graphFieldOptions.drawStyle },
  {
    editor: 'radio',
    path: 'lineInterpolation',
    name: 'Line interpolation',
    options: graphFieldOptions.lineInterpolation,
    showIf: (config) => config.drawStyle === GraphDrawStyle.Line,
  },
  { editor: 'slider', path: 'lineWidth', name: 'Line width', min: 0, max: 10, showIf: notPoints },
  { editor: 'slider', path: 'fillOpacity', name: 'Fill opacity', min: 0, max: 100, showIf: notPoints },
  {
    editor: 'radio',
    path: 'gradientMode',
    name: 'Gradient mode',
    options: graphFieldOptions.fillGradient,
    showIf: notPoints,
  },
  {
    editor: 'switch',
    path: 'spanNulls',
    name: 'Connect null values',
    shouldApply: (field) => field.type !== FieldType.time,
  },
  {
    editor: 'radio',
    path: 'showPoints',
    name: 'Show points',
    description: 'Points on every reading; anomaly markers are drawn whatever this says.',
    options: graphFieldOptions.showPoints,
    showIf: notPoints,
  },
  { editor: 'slider', path: 'pointSize', name: 'Point size', min: 1, max: 40 },
];

function addStyleOption(builder: FieldConfigEditorBuilder<GraphFieldConfig>, option: StyleOption): void {
  const { path, name, description, showIf, shouldApply } = option;
  const common = { path, name, description, showIf, shouldApply, category: STYLES };
  switch (option.editor) {
    case 'radio':
      builder.addRadio({ ...common, defaultValue: GRAPH_DEFAULTS[path], settings: { options: option.options } });
      return;
    case 'slider':
      builder.addSliderInput({
        ...common,
        defaultValue: GRAPH_DEFAULTS[path] as number,
        settings: { min: option.min, max: option.max, step: 1 },
      });
      return;
    case 'switch':
      builder.addBooleanSwitch({ ...common, defaultValue: GRAPH_DEFAULTS[path] as boolean });
      return;
  }
}

export const plugin = new PanelPlugin<AnomalyPanelOptions, GraphFieldConfig>(AnomalyPanel)
  .setMigrationHandler((panel) => migrateOptions(panel.options), needsMigration)
  .useFieldConfig({
    // Grafana's standard options (unit, decimals, min/max, display name, colour scheme, thresholds,
    // value mappings, data links), with the time series panel's colour default.
    standardOptions: {
      [FieldConfigProperty.Color]: {
        settings: { byValueSupport: true, bySeriesSupport: true, preferThresholdsMode: false },
        defaultValue: { mode: FieldColorModeId.PaletteClassic },
      },
    },
    useCustomConfig: (builder) => {
      STYLE_OPTIONS.forEach((option) => addStyleOption(builder, option));
      commonOptionsBuilder.addAxisConfig(builder, GRAPH_DEFAULTS);
      commonOptionsBuilder.addHideFrom(builder);
      builder.addSelect({
        path: 'thresholdsStyle.mode',
        name: 'Show thresholds',
        category: ['Thresholds'],
        defaultValue: GraphThresholdsStyleMode.Off,
        settings: { options: graphFieldOptions.thresholdsDisplayModes },
      });
    },
  })
  .setPanelOptions((builder) => {
    commonOptionsBuilder.addTooltipOptions(builder);
    commonOptionsBuilder.addLegendOptions(builder);
    const defaults = DEFAULT_PANEL_OPTIONS.anomalies;
    builder
      .addColorPicker({
        path: 'anomalies.color',
        name: 'Marker colour',
        category: ANOMALIES,
        defaultValue: defaults.color,
      })
      .addSliderInput({
        path: 'anomalies.size',
        name: 'Marker size',
        category: ANOMALIES,
        defaultValue: defaults.size,
        settings: { min: 2, max: 20, step: 1 },
      })
      .addBooleanSwitch({
        path: 'anomalies.showCount',
        name: 'Anomaly count in legend',
        category: ANOMALIES,
        defaultValue: defaults.showCount,
      })
      .addBooleanSwitch({
        path: 'anomalies.showScoreBand',
        name: 'Score band',
        description: 'A strip along the bottom of the chart whose intensity follows the anomaly score.',
        category: ANOMALIES,
        defaultValue: defaults.showScoreBand,
      });
  });
