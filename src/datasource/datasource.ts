import { CoreApp, type DataSourceInstanceSettings, type MetricFindValue, type ScopedVars } from '@grafana/data';
import { DataSourceWithBackend, getTemplateSrv, type TemplateSrv } from '@grafana/runtime';

import { DEFAULT_QUERY, METRICS, type Metric } from '../common/query';
import { anomalyAnnotations } from './annotations';
import { type AnomalyDataSourceOptions, type AnomalyQuery, hasKafkaBrokers } from './types';
import { AnomalyVariableSupport, filterMatcher, toVariableQuery, type VariableQuery } from './variables';

/** Joins a multi-value variable's values so they can be split again without guessing at commas. */
const VALUE_SEPARATOR = '\u001f';

export class DataSource extends DataSourceWithBackend<AnomalyQuery, AnomalyDataSourceOptions> {
  /** Whether Kafka brokers are set, so the editor can say when a Kafka live query cannot work. */
  readonly kafkaConfigured: boolean;

  constructor(
    instanceSettings: DataSourceInstanceSettings<AnomalyDataSourceOptions>,
    /** Tests pass their own; in Grafana the page's service is looked up on use. */
    private readonly templateSrvOverride?: TemplateSrv
  ) {
    super(instanceSettings);
    this.annotations = anomalyAnnotations;
    this.variables = new AnomalyVariableSupport(this);
    this.kafkaConfigured = hasKafkaBrokers(instanceSettings.jsonData);
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
    // A hand-written or old query may hold anything: values of the wrong type pass through untouched, so the
    // backend's message names them instead of the expansion throwing.
    const expanded: AnomalyQuery = { ...query };
    if (isStringList(query.sensors)) {
      expanded.sensors = this.expandList(query.sensors, scopedVars);
    }
    if (typeof query.metric === 'string' && query.metric) {
      expanded.metric = this.templateSrv.replace(query.metric, scopedVars) as Metric;
    }
    if (isStringList(query.metrics)) {
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
   * Values of a query variable: the table's sensor ids or the metrics, kept to
   * those the filter matches (after its own variables are expanded).
   */
  async variableValues(query: VariableQuery, scopedVars: ScopedVars = {}): Promise<MetricFindValue[]> {
    const matches = filterMatcher(query.filter && this.templateSrv.replace(query.filter, scopedVars));
    const values = query.kind === 'metrics' ? [...METRICS] : await this.getSensors();
    return values.filter(matches).map((value) => ({ text: value, value }));
  }

  /** The variable API of Grafana versions and callers that still use it; same values as the variable editor's. */
  override async metricFindQuery(query: unknown): Promise<MetricFindValue[]> {
    return this.variableValues(toVariableQuery(query));
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

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

function joinMultiValue(value: string | string[]): string {
  return Array.isArray(value) ? value.join(VALUE_SEPARATOR) : value;
}
