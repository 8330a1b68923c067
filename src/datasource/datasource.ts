import { CoreApp, type DataSourceInstanceSettings, type MetricFindValue, type ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import { DEFAULT_QUERY, METRICS, type Metric } from '../common/query';
import { anomalyAnnotations } from './annotations';
import type { AnomalyDataSourceOptions, AnomalyQuery } from './types';

/** Joins a multi-value variable's values so they can be split again without guessing at commas. */
const VALUE_SEPARATOR = '\u001f';

export class DataSource extends DataSourceWithBackend<AnomalyQuery, AnomalyDataSourceOptions> {
  constructor(
    instanceSettings: DataSourceInstanceSettings<AnomalyDataSourceOptions>,
    /** Tests pass their own; in Grafana the page's service is looked up on use. */
    private readonly templateSrvOverride?: TemplateSrv
  ) {
    super(instanceSettings);
    this.annotations = anomalyAnnotations;
  }

  private get templateSrv(): TemplateSrv {
    return this.templateSrvOverride ?? getTemplateSrv();
  }

  /** New queries start from the shared defaults; in an alert rule, as the anomaly count alerts evaluate. */
  override getDefaultQuery(app: CoreApp): Partial<AnomalyQuery> {
    return {
      queryType: app === CoreApp.UnifiedAlerting ? 'anomaly_count' : DEFAULT_QUERY.queryType,
      sensors: [],
      metric: DEFAULT_QUERY.metric,
      metrics: [...DEFAULT_QUERY.metrics],
      model: DEFAULT_QUERY.model,
      contamination: DEFAULT_QUERY.contamination,
    };
  }

  override filterQuery(query: AnomalyQuery): boolean {
    return !query.hide;
  }

  /**
   * Expands template variables before the query reaches the backend: a
   * multi-value `$sensor` becomes one entry per selected sensor, `$metric`
   * becomes the metric's name. Validation stays in the backend, so a variable
   * that expands to an unknown metric gets the same error as a typo.
   */
  override applyTemplateVariables(query: AnomalyQuery, scopedVars: ScopedVars): AnomalyQuery {
    const expanded: AnomalyQuery = { ...query };
    if (query.sensors) {
      expanded.sensors = this.expandList(query.sensors, scopedVars);
    }
    if (query.metric) {
      expanded.metric = this.templateSrv.replace(query.metric, scopedVars) as Metric;
    }
    if (query.metrics) {
      expanded.metrics = this.expandList(query.metrics, scopedVars) as Metric[];
    }
    return expanded;
  }

  /** Sensor ids the configured table holds, from the backend's `sensors` resource. */
  async getSensors(): Promise<string[]> {
    const response: unknown = await this.getResource('sensors');
    if (!Array.isArray(response)) {
      throw new Error('the sensors resource did not return a list');
    }
    return response.filter((id): id is string => typeof id === 'string' && id !== '').sort();
  }

  /**
   * Values for query variables: `sensors` (the default, so an empty query works)
   * lists the table's sensor ids, `metrics` the readings a query can plot.
   */
  override async metricFindQuery(query: string | { query?: string }): Promise<MetricFindValue[]> {
    const kind = (typeof query === 'string' ? query : (query.query ?? '')).trim().toLowerCase();
    if (kind === 'metrics') {
      return METRICS.map((metric) => ({ text: metric, value: metric }));
    }
    if (kind !== '' && kind !== 'sensors') {
      throw new Error(`variable query: must be "sensors" or "metrics" (got ${JSON.stringify(kind)})`);
    }
    const sensors = await this.getSensors();
    return sensors.map((id) => ({ text: id, value: id }));
  }

  /** Dashboard variables as `$name`, offered beside sensor ids and metrics in the editor. */
  getVariableNames(): string[] {
    return this.templateSrv.getVariables().map((variable) => `$${variable.name}`);
  }

  private expandList(values: string[], scopedVars: ScopedVars): string[] {
    const expanded = values.flatMap((value) =>
      this.templateSrv.replace(value, scopedVars, joinMultiValue).split(VALUE_SEPARATOR)
    );
    return [...new Set(expanded.map((v) => v.trim()).filter((v) => v !== ''))];
  }
}

function joinMultiValue(value: string | string[]): string {
  return Array.isArray(value) ? value.join(VALUE_SEPARATOR) : value;
}
