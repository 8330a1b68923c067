import { dateTime, FieldType, LoadingState, type PanelData, type TimeRange, toDataFrame } from '@grafana/data';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { FEATURE_SET_DESCRIPTIONS, FEATURE_TRANSFORMS, featureColumnCount, transformsOf } from '../common/features';
import { METRICS } from '../common/query';
import { testIds } from '../testIds';
import { DataSource } from './datasource';
import { QueryEditor } from './QueryEditor';
import { fakeTemplateSrv, instanceSettings, makeDataSource } from './testUtils';
import type { AnomalyQuery } from './types';

// Role queries over @grafana/ui's tree are slow in jsdom; on a busy shared machine a test with a few
// clicks can pass jest's default 5 s.
jest.setTimeout(30_000);

// No delay between keystrokes: typing stays fast on a busy machine.
const user = userEvent.setup({ delay: null });

interface SetupOptions {
  variables?: Record<string, string | string[]>;
  data?: PanelData;
  range?: TimeRange;
  datasource?: DataSource;
  mode?: 'query' | 'annotation';
}

function setup(query: AnomalyQuery, options: SetupOptions = {}) {
  const datasource = options.datasource ?? makeDataSource(options.variables);
  jest.spyOn(datasource, 'getResource').mockResolvedValue(['sensmitter_1', 'sensmitter_2']);
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const editor = (q: AnomalyQuery) => (
    <QueryEditor
      datasource={datasource}
      query={q}
      onChange={onChange}
      onRunQuery={onRunQuery}
      data={options.data}
      range={options.range}
      mode={options.mode}
    />
  );
  const view = render(editor(query));
  const rerender = (next: AnomalyQuery) => view.rerender(editor(next));
  return { onChange, onRunQuery, rerender, datasource };
}

const HOUR = 3_600_000;

function hours(n: number): TimeRange {
  const from = dateTime(0);
  const to = dateTime(n * HOUR);
  return { from, to, raw: { from, to } };
}

const base: AnomalyQuery = { refId: 'A', queryType: 'anomalies', metric: 'temperature', model: 'isolation_forest' };

describe('QueryEditor', () => {
  it('switches the query type and runs the query', async () => {
    const { onChange, onRunQuery } = setup(base);
    await user.click(screen.getByRole('radio', { name: 'Anomaly count' }));
    expect(onChange).toHaveBeenLastCalledWith({ ...base, queryType: 'anomaly_count' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('switches to DBSCAN and shows its parameters instead of the forest’s', async () => {
    const { onChange, rerender } = setup(base);
    expect(screen.getByLabelText('Trees')).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'DBSCAN' }));
    expect(onChange).toHaveBeenLastCalledWith({ ...base, model: 'dbscan' });
    rerender({ ...base, model: 'dbscan' });
    expect(screen.queryByLabelText('Trees')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Epsilon')).toBeInTheDocument();
    expect(screen.getByLabelText('Min samples')).toBeInTheDocument();
  });

  it('commits a contamination number on blur', async () => {
    const { onChange, onRunQuery } = setup(base);
    const input = screen.getByLabelText('Contamination');
    await user.type(input, '0.05');
    expect(onChange).not.toHaveBeenCalled();
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ ...base, contamination: 0.05 });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('names the field and range of an out-of-range contamination and does not run the query', async () => {
    const { onChange, onRunQuery, rerender } = setup(base);
    await user.type(screen.getByLabelText('Contamination'), '0.7{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ ...base, contamination: 0.7 });
    expect(onRunQuery).not.toHaveBeenCalled();
    rerender({ ...base, contamination: 0.7 });
    expect(screen.getByText('contamination: must be a number in (0, 0.5] or "auto" (got 0.7)')).toBeInTheDocument();
  });

  it('keeps text that is not a number out of the query and shows the validation message', async () => {
    const { onChange, onRunQuery } = setup(base);
    await user.type(screen.getByLabelText('Trees'), 'many{Enter}');
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
    expect(
      screen.getByText('isolationForest.nEstimators: must be an integer from 1 to 1000 (got "many")')
    ).toBeInTheDocument();
  });

  it('offers "auto" contamination for the Isolation Forest only', async () => {
    const { onChange, rerender } = setup(base);
    await user.click(screen.getByLabelText('Contamination auto'));
    expect(onChange).toHaveBeenLastCalledWith({ ...base, contamination: 'auto' });
    rerender({ ...base, model: 'dbscan', contamination: 'auto' });
    expect(screen.queryByLabelText('Contamination auto')).not.toBeInTheDocument();
    expect(screen.getByText('contamination: must be a number in (0, 0.5] (got "auto")')).toBeInTheDocument();
  });

  it('writes forest parameters under isolationForest', async () => {
    const { onChange, rerender } = setup(base);
    await user.type(screen.getByLabelText('Max samples'), '0.5{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ ...base, isolationForest: { maxSamples: 0.5 } });
    rerender({ ...base, isolationForest: { maxSamples: 0.5 } });
    await user.click(screen.getByRole('radio', { name: 'Window before range' }));
    expect(onChange).toHaveBeenLastCalledWith({ ...base, isolationForest: { maxSamples: 0.5, training: 'window' } });
  });

  it('shows a DBSCAN epsilon error under its field', () => {
    setup({ ...base, model: 'dbscan', dbscan: { eps: -1 } });
    expect(screen.getByText('dbscan.eps: must be a number in (0, 1000] or "auto" (got -1)')).toBeInTheDocument();
  });

  it('reports a hidden model’s invalid parameter in a banner', () => {
    setup({ ...base, dbscan: { minSamples: 0 } });
    expect(screen.getByText('Invalid query')).toBeInTheDocument();
    expect(screen.getByText('dbscan.minSamples: must be an integer from 1 to 10000 (got 0)')).toBeInTheDocument();
  });

  it.each([
    [
      'a single sensor id instead of a list',
      { sensors: 'sensmitter_1' },
      /^sensors: must be a list .* \(got "sensmitter_1"\)$/,
    ],
    ['a number and a null among the sensors', { sensors: [7, null] }, /^sensors: must be a list .* \(got 7\)$/],
    [
      'a metric name instead of a list of model readings',
      { metrics: 'humidity' },
      /^metrics: must be a non-empty list .* \(got "humidity"\)$/,
    ],
    ['a number as the metric', { metric: 5 }, /^metric: must be one of .* \(got 5\)$/],
  ])(
    'opens a stored query with %s and shows the backend’s message beside the field, changing nothing',
    (_, odd, message) => {
      const { onChange } = setup({ ...base, ...odd } as unknown as AnomalyQuery);
      expect(screen.getByText(message)).toBeInTheDocument();
      expect(screen.queryByTestId(testIds.queryEditor.errorBanner)).not.toBeInTheDocument();
      expect(onChange).not.toHaveBeenCalled();
    }
  );

  it('validates the query with template variables expanded', () => {
    setup({ ...base, metric: '$metric' as AnomalyQuery['metric'] }, { variables: { metric: 'rainfall' } });
    expect(screen.getByText(/^metric: must be one of "temperature", .* \(got "rainfall"\)$/)).toBeInTheDocument();
  });

  it('shows the selected sensor as a pill', () => {
    setup({ ...base, sensors: ['sensmitter_1'] });
    expect(screen.getByText('sensmitter_1')).toBeInTheDocument();
  });

  describe('feature set', () => {
    it('explains the chosen set in the catalog’s words, with the columns the model sees', () => {
      setup(base);
      const description = screen.getByTestId(testIds.queryEditor.featureSetDescription);
      expect(description).toHaveTextContent(FEATURE_SET_DESCRIPTIONS.default);
      const columns = featureColumnCount(METRICS.length, transformsOf('default'));
      expect(description).toHaveTextContent(`The model sees ${columns} columns.`);
    });

    it('switches to raw readings and drops any custom transforms', async () => {
      const { onChange, rerender } = setup({ ...base, featureSet: 'custom', transforms: ['value', 'rate'] });
      await user.click(screen.getByRole('radio', { name: 'Raw readings' }));
      expect(onChange).toHaveBeenLastCalledWith({ ...base, featureSet: 'raw' });
      rerender({ ...base, featureSet: 'raw' });
      expect(screen.getByTestId(testIds.queryEditor.featureSetDescription)).toHaveTextContent(
        `${FEATURE_SET_DESCRIPTIONS.raw} The model sees ${METRICS.length} columns.`
      );
    });

    it('starts a custom set from the set in use and shows every transform with what it catches', async () => {
      const { onChange, rerender } = setup({ ...base, featureSet: 'raw' });
      expect(screen.queryByTestId(testIds.queryEditor.transforms)).not.toBeInTheDocument();
      await user.click(screen.getByRole('radio', { name: 'Custom' }));
      expect(onChange).toHaveBeenLastCalledWith({ ...base, featureSet: 'custom', transforms: ['value'] });
      rerender({ ...base, featureSet: 'custom', transforms: ['value'] });
      const transforms = screen.getByTestId(testIds.queryEditor.transforms);
      for (const spec of FEATURE_TRANSFORMS) {
        expect(within(transforms).getByText(spec.description)).toBeInTheDocument();
      }
      expect(within(transforms).getByRole('checkbox', { name: 'Reading' })).toBeChecked();
      expect(within(transforms).getByRole('checkbox', { name: 'Rate of change' })).not.toBeChecked();
    });

    it('keeps ticked transforms in catalog order', async () => {
      const { onChange } = setup({ ...base, featureSet: 'custom', transforms: ['time_of_day'] });
      await user.click(screen.getByRole('checkbox', { name: 'Deviation from baseline' }));
      expect(onChange).toHaveBeenLastCalledWith({
        ...base,
        featureSet: 'custom',
        transforms: transformsOf('custom', ['time_of_day', 'deviation']),
      });
      expect(transformsOf('custom', ['time_of_day', 'deviation'])).toEqual(['deviation', 'time_of_day']);
    });

    it('shows the backend’s message under the transforms when none is ticked, and does not run', async () => {
      const { onChange, onRunQuery, rerender } = setup({ ...base, featureSet: 'custom', transforms: ['rate'] });
      await user.click(screen.getByRole('checkbox', { name: 'Rate of change' }));
      expect(onChange).toHaveBeenLastCalledWith({ ...base, featureSet: 'custom', transforms: [] });
      expect(onRunQuery).not.toHaveBeenCalled();
      rerender({ ...base, featureSet: 'custom', transforms: [] });
      expect(
        screen.getByText(/^transforms: must be a non-empty list of "value", .* \(got \[\]\)$/)
      ).toBeInTheDocument();
      expect(screen.queryByTestId(testIds.queryEditor.errorBanner)).not.toBeInTheDocument();
    });
  });

  describe('training', () => {
    it('asks for a window only when training on the readings before the range', async () => {
      const { onChange, rerender } = setup(base);
      expect(screen.queryByLabelText('Training window')).not.toBeInTheDocument();
      await user.click(screen.getByRole('radio', { name: 'Window before range' }));
      expect(onChange).toHaveBeenLastCalledWith({ ...base, isolationForest: { training: 'window' } });
      rerender({ ...base, isolationForest: { training: 'window' } });
      await user.type(screen.getByLabelText('Training window'), '24h{Enter}');
      expect(onChange).toHaveBeenLastCalledWith({
        ...base,
        isolationForest: { training: 'window', trainingWindow: '24h' },
      });
    });

    it('names the allowed range of a window that is too short and does not run the query', async () => {
      const query: AnomalyQuery = { ...base, isolationForest: { training: 'window' } };
      const { onChange, onRunQuery, rerender } = setup(query);
      await user.type(screen.getByLabelText('Training window'), '10m');
      await user.tab();
      const next = { ...base, isolationForest: { training: 'window', trainingWindow: '10m' } };
      expect(onChange).toHaveBeenLastCalledWith(next);
      expect(onRunQuery).not.toHaveBeenCalled();
      rerender(next as AnomalyQuery);
      expect(
        screen.getByText(
          'isolationForest.trainingWindow: must be a duration from 1h to 90d, such as "5m", "24h" or "7d" (got "10m")'
        )
      ).toBeInTheDocument();
    });

    it('reports a bad window in a banner while it is hidden behind S3 history training', () => {
      setup({ ...base, isolationForest: { training: 'history', trainingWindow: 'forever' } });
      expect(screen.getByTestId(testIds.queryEditor.errorBanner)).toHaveTextContent(
        'isolationForest.trainingWindow: must be a duration'
      );
    });
  });

  describe('anomaly count interval', () => {
    it('is offered for anomaly_count only, empty meaning the panel’s interval', async () => {
      const { onChange, onRunQuery, rerender } = setup(base);
      expect(screen.queryByLabelText('Count interval')).not.toBeInTheDocument();
      const counting: AnomalyQuery = { ...base, queryType: 'anomaly_count' };
      rerender(counting);
      expect(screen.getByLabelText('Count interval')).toHaveAttribute('placeholder', 'auto');
      await user.type(screen.getByLabelText('Count interval'), '5m{Enter}');
      expect(onChange).toHaveBeenLastCalledWith({ ...counting, countInterval: '5m' });
      expect(onRunQuery).toHaveBeenCalledTimes(1);
    });

    it('shows the backend’s message for an interval that is not a duration', () => {
      setup({ ...base, queryType: 'anomaly_count', countInterval: 'hourly' });
      expect(screen.getByText(/^countInterval: must be a duration from 1s to 1d/)).toBeInTheDocument();
    });
  });

  describe('contamination in readings', () => {
    const readingsFrame = (readings: number) =>
      toDataFrame({
        fields: [{ name: 'anomaly_count', type: FieldType.number, values: [0] }],
        meta: { stats: [{ displayName: 'Readings', value: readings }] },
      });
    const data = (readings: number[], rangeHours: number): PanelData => ({
      state: LoadingState.Done,
      series: readings.map(readingsFrame),
      timeRange: hours(rangeHours),
    });

    it('counts from the last response’s readings', () => {
      setup({ ...base, contamination: 0.02 }, { data: data([1000, 2000], 6), range: hours(6) });
      expect(screen.getByTestId(testIds.queryEditor.contaminationHint)).toHaveTextContent(
        '≈ 60 of 3,000 readings in this range'
      );
    });

    it('says when it estimates for a range the query has not run on yet', () => {
      setup(base, { data: data([1000], 6), range: hours(12) });
      expect(screen.getByTestId(testIds.queryEditor.contaminationHint)).toHaveTextContent(
        '≈ 20 of 2,000 readings in this range (estimate'
      );
    });

    it('gives the share before any response', () => {
      setup(base);
      expect(screen.getByTestId(testIds.queryEditor.contaminationHint)).toHaveTextContent('≈ 1 in 100 readings');
    });
  });

  describe('live', () => {
    it('turns live scoring on and offers DynamoDB or Kafka', async () => {
      const { onChange, rerender } = setup(base);
      expect(screen.queryByRole('radio', { name: 'Kafka' })).not.toBeInTheDocument();
      await user.click(screen.getByLabelText('Live'));
      expect(onChange).toHaveBeenLastCalledWith({ ...base, live: true });
      rerender({ ...base, live: true });
      expect(screen.getByRole('radio', { name: 'DynamoDB' })).toBeChecked();
      expect(screen.queryByLabelText('Replay (min)')).not.toBeInTheDocument();
      await user.click(screen.getByRole('radio', { name: 'Kafka' }));
      expect(onChange).toHaveBeenLastCalledWith({ ...base, live: true, liveSource: 'kafka' });
    });

    it('asks how much of a Kafka topic to replay, within the query model’s range', async () => {
      const query: AnomalyQuery = { ...base, live: true, liveSource: 'kafka' };
      const { onChange, rerender } = setup(query);
      await user.type(screen.getByLabelText('Replay (min)'), '30{Enter}');
      expect(onChange).toHaveBeenLastCalledWith({ ...query, liveReplayMinutes: 30 });
      rerender({ ...query, liveReplayMinutes: 5000 });
      expect(screen.getByText('liveReplayMinutes: must be an integer from 0 to 1440 (got 5000)')).toBeInTheDocument();
    });

    it('warns when Kafka is chosen but the data source has no brokers', () => {
      const query: AnomalyQuery = { ...base, live: true, liveSource: 'kafka' };
      setup(query);
      expect(screen.getByTestId(testIds.queryEditor.kafkaNotConfigured)).toBeInTheDocument();
    });

    it('says nothing when the brokers are there', () => {
      const settings = instanceSettings();
      const datasource = new DataSource(
        { ...settings, jsonData: { ...settings.jsonData, kafkaBrokers: '127.0.0.1:9092' } },
        fakeTemplateSrv({})
      );
      setup({ ...base, live: true, liveSource: 'kafka' }, { datasource });
      expect(screen.queryByTestId(testIds.queryEditor.kafkaNotConfigured)).not.toBeInTheDocument();
    });
  });

  describe('as the annotation editor', () => {
    it('leaves out the query type, the count interval and live scoring', () => {
      setup({ ...base, queryType: 'anomaly_count' }, { mode: 'annotation' });
      expect(screen.queryByRole('radio', { name: 'Anomaly count' })).not.toBeInTheDocument();
      expect(screen.queryByLabelText('Count interval')).not.toBeInTheDocument();
      expect(screen.queryByLabelText('Live')).not.toBeInTheDocument();
      expect(screen.getByLabelText('Contamination')).toBeInTheDocument();
    });

    it('reports an invalid hidden field the annotation runs with in the banner', () => {
      setup({ ...base, dbscan: { minSamples: 0 } }, { mode: 'annotation' });
      expect(screen.getByTestId(testIds.queryEditor.errorBanner)).toHaveTextContent(
        'dbscan.minSamples: must be an integer from 1 to 10000 (got 0)'
      );
    });
  });
});
