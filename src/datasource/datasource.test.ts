import { CoreApp, FieldType, MappingType, toDataFrame } from '@grafana/data';
import { firstValueFrom } from 'rxjs';

import { anomalyAnnotations, anomalyEvents } from './annotations';
import { DataSource } from './datasource';
import { instanceSettings, makeDataSource } from './testUtils';
import type { AnomalyVariableSupport } from './variables';
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

  it('counts Kafka as not configured when the saved brokers are not text', () => {
    const settings = instanceSettings();
    const ds = new DataSource({ ...settings, jsonData: { ...settings.jsonData, kafkaBrokers: ['b:9092'] as never } });
    expect(ds.kafkaConfigured).toBe(false);
  });

  it('passes sensors and metrics of the wrong type through unexpanded, for the backend to name', () => {
    const ds = makeDataSource({ sensor: 'sensmitter_1' });
    const odd = { refId: 'A', sensors: '$sensor', metric: 5, metrics: ['temperature', null] };
    expect(ds.applyTemplateVariables(odd as unknown as AnomalyQuery, {})).toEqual(odd);
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

  it("answers variable queries saved as text, as Grafana's standard query and as this editor's", async () => {
    const ds = makeDataSource();
    jest.spyOn(ds, 'getResource').mockResolvedValue(['sensmitter_1']);
    const sensor = [{ text: 'sensmitter_1', value: 'sensmitter_1' }];
    await expect(ds.metricFindQuery('sensors')).resolves.toEqual(sensor);
    await expect(ds.metricFindQuery('')).resolves.toEqual(sensor);
    await expect(ds.metricFindQuery({ refId: 'v', kind: 'sensors' })).resolves.toEqual(sensor);
    const metrics = await ds.metricFindQuery({ query: 'metrics' });
    expect(metrics.map((m) => m.text)).toEqual(['temperature', 'humidity', 'pressure', 'light_level']);
    await expect(ds.metricFindQuery('tables')).rejects.toThrow(
      'variable query kind: must be "sensors" or "metrics" (got "tables")'
    );
  });

  it("keeps the variable values its filter matches, with the filter's own variables expanded", async () => {
    const ds = makeDataSource({ room: 'lab2' });
    jest.spyOn(ds, 'getResource').mockResolvedValue(['lab1_a', 'LAB2_b', 'lab2_c', 'lab20_d']);
    const values = await ds.variableValues({ refId: 'v', kind: 'sensors', filter: '${room}_*' });
    expect(values.map((v) => v.value)).toEqual(['LAB2_b', 'lab2_c']);
    const metrics = await ds.variableValues({ refId: 'v', kind: 'metrics', filter: '*e*' });
    expect(metrics.map((v) => v.value)).toEqual(['temperature', 'pressure', 'light_level']);
  });

  it("answers Grafana's custom variable support with the same values", async () => {
    const ds = makeDataSource();
    jest.spyOn(ds, 'getResource').mockResolvedValue(['sensmitter_2', 'sensmitter_1']);
    const request = { targets: [{ refId: 'v', kind: 'sensors', filter: '*_1' }], scopedVars: {} };
    const support = ds.variables as AnomalyVariableSupport;
    const response = await firstValueFrom(support.query(request as never));
    expect(response.data).toEqual([{ text: 'sensmitter_1', value: 'sensmitter_1' }]);
  });

  it('knows whether Kafka brokers are configured', () => {
    expect(makeDataSource().kafkaConfigured).toBe(false);
    const settings = instanceSettings();
    expect(new DataSource({ ...settings, jsonData: { kafkaBrokers: ' 127.0.0.1:9092 ' } }).kafkaConfigured).toBe(true);
  });
});

describe('anomaly annotations', () => {
  const explanationMappings = [
    {
      type: MappingType.ValueToText as const,
      options: { '0': { text: 'none' }, '201': { text: 'temperature deviation' } },
    },
  ];
  const frame = toDataFrame({
    name: 'sensmitter_1',
    fields: [
      { name: 'time', type: FieldType.time, values: [1000, 2000, 3000, 4000] },
      {
        name: 'temperature',
        type: FieldType.number,
        values: [21.5, 35.25, 21.7, 9],
        labels: { sensor: 'sensmitter_1' },
      },
      { name: 'anomaly', type: FieldType.number, values: [0, 1, 0, 1] },
      { name: 'anomaly_score', type: FieldType.number, values: [0.41, 0.83, 0.4, 0.7] },
      {
        name: 'explanation',
        type: FieldType.number,
        values: [0, 201, 0, 0],
        config: { mappings: explanationMappings },
      },
    ],
  });

  it('always runs a plain anomalies query for an annotation: no count, no live stream', () => {
    const query = anomalyAnnotations.prepareQuery!({
      name: 'Anomalies',
      enable: true,
      iconColor: 'red',
      target: {
        refId: 'Anno',
        queryType: 'anomaly_count',
        metric: 'humidity',
        countInterval: '5m',
        live: true,
        liveSource: 'kafka',
        liveReplayMinutes: 5,
      },
    });
    expect(query).toEqual({ refId: 'Anno', queryType: 'anomalies', metric: 'humidity' });
  });

  it('turns only the flagged readings into events, the explanation shown as its mapped text', async () => {
    const events = await firstValueFrom(anomalyAnnotations.processEvents!({} as never, [frame]));
    expect(events).toEqual([
      {
        time: 2000,
        title: 'Anomaly on sensmitter_1',
        text: 'Anomaly on sensmitter_1 · temperature = 35.25 · score 0.83 · explained by temperature deviation',
        tags: ['anomaly', 'sensmitter_1'],
      },
      {
        time: 4000,
        title: 'Anomaly on sensmitter_1',
        text: 'Anomaly on sensmitter_1 · temperature = 9 · score 0.7',
        tags: ['anomaly', 'sensmitter_1'],
      },
    ]);
  });

  it('reads the flag of older frames that carried booleans and explanation text', () => {
    const old = toDataFrame({
      name: 'sensmitter_2',
      fields: [
        { name: 'time', type: FieldType.time, values: [1000, 2000] },
        { name: 'humidity', type: FieldType.number, values: [40, 90] },
        { name: 'anomaly', type: FieldType.boolean, values: [false, true] },
        { name: 'explanation', type: FieldType.string, values: ['', 'humidity far above normal'] },
      ],
    });
    expect(anomalyEvents(old).map((e) => e.text)).toEqual([
      'Anomaly on sensmitter_2 · humidity = 90 · humidity far above normal',
    ]);
  });

  it('names an explanation code the frame has no mapping for', () => {
    const unmapped = toDataFrame({
      fields: [
        { name: 'time', type: FieldType.time, values: [1000] },
        { name: 'anomaly', type: FieldType.number, values: [1] },
        { name: 'explanation', type: FieldType.number, values: [304] },
      ],
    });
    expect(anomalyEvents(unmapped)[0]?.text).toBe('Anomaly · explained by feature 304');
  });

  it('ignores frames without an anomaly field', () => {
    const plain = toDataFrame({ fields: [{ name: 'time', type: FieldType.time, values: [1] }] });
    expect(anomalyEvents(plain)).toEqual([]);
  });

  it('offers the annotation editor and a default anomalies query', () => {
    expect(anomalyAnnotations.QueryEditor).toBeDefined();
    expect(anomalyAnnotations.getDefaultQuery!()).toMatchObject({ queryType: 'anomalies', model: 'isolation_forest' });
  });
});
