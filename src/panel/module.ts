import { FieldColorModeId, FieldConfigProperty, FieldType, PanelPlugin } from '@grafana/data';
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
      builder
        .addRadio({
          path: 'drawStyle',
          name: 'Style',
          category: STYLES,
          defaultValue: GRAPH_DEFAULTS.drawStyle,
          settings: { options: graphFieldOptions.drawStyle },
        })
        .addRadio({
          path: 'lineInterpolation',
          name: 'Line interpolation',
          category: STYLES,
          defaultValue: GRAPH_DEFAULTS.lineInterpolation,
          settings: { options: graphFieldOptions.lineInterpolation },
          showIf: (config) => config.drawStyle === GraphDrawStyle.Line,
        })
        .addSliderInput({
          path: 'lineWidth',
          name: 'Line width',
          category: STYLES,
          defaultValue: GRAPH_DEFAULTS.lineWidth,
          settings: { min: 0, max: 10, step: 1 },
          showIf: (config) => config.drawStyle !== GraphDrawStyle.Points,
        })
        .addSliderInput({
          path: 'fillOpacity',
          name: 'Fill opacity',
          category: STYLES,
          defaultValue: GRAPH_DEFAULTS.fillOpacity,
          settings: { min: 0, max: 100, step: 1 },
          showIf: (config) => config.drawStyle !== GraphDrawStyle.Points,
        })
        .addRadio({
          path: 'gradientMode',
          name: 'Gradient mode',
          category: STYLES,
          defaultValue: GRAPH_DEFAULTS.gradientMode,
          settings: { options: graphFieldOptions.fillGradient },
          showIf: (config) => config.drawStyle !== GraphDrawStyle.Points,
        })
        .addBooleanSwitch({
          path: 'spanNulls',
          name: 'Connect null values',
          category: STYLES,
          defaultValue: false,
          shouldApply: (field) => field.type !== FieldType.time,
        })
        .addRadio({
          path: 'showPoints',
          name: 'Show points',
          description: 'Points on every reading; anomaly markers are drawn whatever this says.',
          category: STYLES,
          defaultValue: GRAPH_DEFAULTS.showPoints,
          settings: { options: graphFieldOptions.showPoints },
          showIf: (config) => config.drawStyle !== GraphDrawStyle.Points,
        })
        .addSliderInput({
          path: 'pointSize',
          name: 'Point size',
          category: STYLES,
          defaultValue: GRAPH_DEFAULTS.pointSize,
          settings: { min: 1, max: 40, step: 1 },
        });
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
