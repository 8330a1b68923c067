import {
  applyFieldOverrides,
  createTheme,
  dateTime,
  FieldType,
  LoadingState,
  type PanelProps,
  toDataFrame,
} from '@grafana/data';
import { render, screen } from '@testing-library/react';

import { testIds } from '../testIds';
import { AnomalyPanel } from './AnomalyPanel';
import { type AnomalyPanelOptions, DEFAULT_PANEL_OPTIONS } from './types';

const FROM = Date.UTC(2026, 10, 24, 10, 0, 0);
const TO = FROM + 60 * 60 * 1000;

/** The panel's props as Grafana builds them: frames after field config was applied. */
function panelProps(series: Array<ReturnType<typeof toDataFrame>>, options: object = {}) {
  const range = { from: dateTime(FROM), to: dateTime(TO), raw: { from: 'now-1h', to: 'now' } };
  const fieldConfig = { defaults: { unit: 'celsius', color: { mode: 'palette-classic' } }, overrides: [] };
  const withConfig = applyFieldOverrides({
    data: series,
    fieldConfig,
    replaceVariables: (s) => s,
    theme: createTheme(),
    timeZone: 'utc',
  });
  return {
    id: 1,
    data: { series: withConfig, state: LoadingState.Done, timeRange: range },
    timeRange: range,
    timeZone: 'utc',
    options: { ...DEFAULT_PANEL_OPTIONS, ...options },
    width: 800,
    height: 300,
    title: 'Temperature',
    transparent: false,
    fieldConfig,
    renderCounter: 0,
    onOptionsChange: jest.fn(),
    onFieldConfigChange: jest.fn(),
    onChangeTimeRange: jest.fn(),
    replaceVariables: (s: string) => s,
    eventBus: { publish: jest.fn() },
  } as unknown as PanelProps<AnomalyPanelOptions>;
}

function frame(sensor: string, flags: number[]) {
  return toDataFrame({
    name: sensor,
    fields: [
      { name: 'time', type: FieldType.time, values: flags.map((_, i) => FROM + (i + 1) * 60_000) },
      {
        name: 'temperature',
        type: FieldType.number,
        values: flags.map((f, i) => (f ? 40 : 21 + i * 0.1)),
        config: { displayNameFromDS: sensor },
      },
      { name: 'anomaly', type: FieldType.number, values: flags },
      { name: 'anomaly_score', type: FieldType.number, values: flags.map((f) => (f ? 0.9 : 0.4)) },
    ],
  });
}

describe('AnomalyPanel', () => {
  it('draws the readings with Grafana’s chart and lists each sensor with its anomaly count', () => {
    render(<AnomalyPanel {...panelProps([frame('sensmitter_1', [0, 1, 0, 1]), frame('sensmitter_2', [0, 0, 1])])} />);
    expect(screen.getByTestId(testIds.panel.container)).toBeInTheDocument();
    expect(screen.getByText('sensmitter_1')).toBeInTheDocument();
    expect(screen.getByText('sensmitter_2')).toBeInTheDocument();
    expect(screen.getAllByText(/Anomalies:/).map((e) => e.parentElement?.textContent)).toEqual([
      'Anomalies: 2',
      'Anomalies: 1',
    ]);
  });

  it('leaves the count out of the legend when the option is off', () => {
    render(
      <AnomalyPanel
        {...panelProps([frame('sensmitter_1', [0, 1])], {
          anomalies: { ...DEFAULT_PANEL_OPTIONS.anomalies, showCount: false },
        })}
      />
    );
    expect(screen.getByText('sensmitter_1')).toBeInTheDocument();
    expect(screen.queryByText(/Anomalies:/)).not.toBeInTheDocument();
  });

  it('hands frames it cannot plot to Grafana’s data error view', () => {
    const table = toDataFrame({ name: 'table', fields: [{ name: 'x', type: FieldType.number, values: [1] }] });
    render(<AnomalyPanel {...panelProps([table])} />);
    expect(screen.queryByTestId(testIds.panel.container)).not.toBeInTheDocument();
    expect(screen.getByText(/Unable to render data/)).toBeInTheDocument();
  });

  it('draws with the defaults where hand-edited options have the wrong type', () => {
    const handEdited = { legend: null, tooltip: 'single', anomalies: { color: 5, size: '9' } };
    render(<AnomalyPanel {...panelProps([frame('sensmitter_1', [0, 1])], handEdited)} />);
    expect(screen.getByText('sensmitter_1')).toBeInTheDocument();
    expect(screen.getByText(/Anomalies:/).parentElement).toHaveTextContent('Anomalies: 1');
  });
});
