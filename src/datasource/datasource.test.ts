import { CoreApp, FieldType, toDataFrame } from '@grafana/data';
import { firstValueFrom } from 'rxjs';

import { anomalyAnnotations, anomalyEvents } from './annotations';
import { makeDataSource } from './testUtils';
import type { AnomalyQuery } from './types';

describe('DataSource', () => {
  it('defaults a new query to the shared model defaults', () => {
    const query = makeDataSource().getDefaultQuery(CoreApp.PanelEditor);
    expect(query).toEqual({
      queryType: 'anomalies',
      sensors: [],
      metric: 'temperature',
      metrics: ['temperature', 'humidity', 'pressure', 'light_level'],
      model: 'isolation_forest',
      contamination: 0.01,
    });
  });

  it('defaults a new alert rule query to the anomaly count', () => {
    expect(makeDataSource().getDefaultQuery(CoreApp.UnifiedAlerting).queryType).toBe('anomaly_count');
  });

  it('skips hidden queries', () => {
    const ds = makeDataSource();
    expect(ds.filterQuery({ refId: 'A', hide: true })).toBe(false);
    expect(ds.filterQuery({ refId: 'A', hide: false })).toBe(true);
    expect(ds.filterQuery({ refId: 'A' })).toBe(true);
  });

  it('expands a multi-value sensor variable into one entry per sensor', () => {
    const ds = makeDataSource({ sensor: ['sensmitter_1', 'sensmitter_2'] });
    const query: AnomalyQuery = { refId: 'A', sensors: ['$sensor', 'sensmitter_9'] };
    expect(ds.applyTemplateVariables(query, {}).sensors).toEqual(['sensmitter_1', 'sensmitter_2', 'sensmitter_9']);
  });

  it('expands a single-value variable, braces syntax and removes duplicates', () => {
    const ds = makeDataSource({ sensor: 'sensmitter_1' });
    const query: AnomalyQuery = { refId: 'A', sensors: ['${sensor}', 'sensmitter_1'] };
    expect(ds.applyTemplateVariables(query, {}).sensors).toEqual(['sensmitter_1']);
  });

  it('keeps sensor ids that contain commas intact', () => {
    const ds = makeDataSource({ sensor: ['lab,room 1', 'lab,room 2'] });
    const query: AnomalyQuery = { refId: 'A', sensors: ['$sensor'] };
    expect(ds.applyTemplateVariables(query, {}).sensors).toEqual(['lab,room 1', 'lab,room 2']);
  });

  it('interpolates the metric and feature variables and leaves other fields alone', () => {
    const ds = makeDataSource({ metric: 'humidity', features: ['humidity', 'pressure'] });
    const query: AnomalyQuery = {
      refId: 'A',
      metric: '$metric' as AnomalyQuery['metric'],
      metrics: ['$features' as 'humidity'],
      model: 'dbscan',
      dbscan: { eps: 0.5 },
    };
    expect(ds.applyTemplateVariables(query, {})).toEqual({
      refId: 'A',
      metric: 'humidity',
      metrics: ['humidity', 'pressure'],
      model: 'dbscan',
      dbscan: { eps: 0.5 },
    });
  });

  it('lists sensors from the backend resource, dropping non-string entries', async () => {
    const ds = makeDataSource();
    const getResource = jest.spyOn(ds, 'getResource').mockResolvedValue(['sensmitter_2', 7, '', 'sensmitter_1']);
    await expect(ds.getSensors()).resolves.toEqual(['sensmitter_1', 'sensmitter_2']);
    expect(getResource).toHaveBeenCalledWith('sensors');
  });

  it('reports a sensors resource that does not answer with a list', async () => {
    const ds = makeDataSource();
    jest.spyOn(ds, 'getResource').mockResolvedValue({ message: 'not found' });
    await expect(ds.getSensors()).rejects.toThrow('did not return a list');
  });

  it('answers variable queries for sensors and metrics', async () => {
    const ds = makeDataSource();
    jest.spyOn(ds, 'getResource').mockResolvedValue(['sensmitter_1']);
    await expect(ds.metricFindQuery('sensors')).resolves.toEqual([{ text: 'sensmitter_1', value: 'sensmitter_1' }]);
    await expect(ds.metricFindQuery('')).resolves.toEqual([{ text: 'sensmitter_1', value: 'sensmitter_1' }]);
    const metrics = await ds.metricFindQuery({ query: 'metrics' });
    expect(metrics.map((m) => m.text)).toEqual(['temperature', 'humidity', 'pressure', 'light_level']);
    await expect(ds.metricFindQuery('tables')).rejects.toThrow('variable query: must be "sensors" or "metrics"');
  });
});

describe('anomaly annotations', () => {
  const frame = toDataFrame({
    name: 'sensmitter_1',
    fields: [
      { name: 'time', type: FieldType.time, values: [1000, 2000, 3000] },
      { name: 'temperature', type: FieldType.number, values: [21.5, 35.25, 21.7] },
      { name: 'anomaly_score', type: FieldType.number, values: [0.41, 0.83, 0.4] },
      { name: 'anomaly', type: FieldType.boolean, values: [false, true, false] },
      { name: 'explanation', type: FieldType.string, values: ['', 'temperature far above normal', ''] },
    ],
  });

  it('always runs the anomalies query for an annotation', () => {
    const query = anomalyAnnotations.prepareQuery!({
      name: 'Anomalies',
      enable: true,
      iconColor: 'red',
      target: { refId: 'Anno', queryType: 'anomaly_count', metric: 'humidity' },
    });
    expect(query).toEqual({ refId: 'Anno', queryType: 'anomalies', metric: 'humidity' });
  });

  it('turns only the flagged readings into events', async () => {
    const events = await firstValueFrom(anomalyAnnotations.processEvents!({} as never, [frame]));
    expect(events).toEqual([
      {
        time: 2000,
        title: 'Anomaly on sensmitter_1',
        text: 'Anomaly on sensmitter_1 · temperature = 35.25 · score 0.83 · temperature far above normal',
        tags: ['anomaly', 'sensmitter_1'],
      },
    ]);
  });

  it('ignores frames without an anomaly field', () => {
    const plain = toDataFrame({ fields: [{ name: 'time', type: FieldType.time, values: [1] }] });
    expect(anomalyEvents(plain)).toEqual([]);
  });
});
