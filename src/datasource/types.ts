import type { DataQuery } from '@grafana/schema';

import type { AnomalyQueryModel } from '../common/query';

/**
 * A panel's query as Grafana stores it: Grafana's fields (refId, hide, …) plus
 * ours. `queryType` is Grafana's free string narrowed to our query types.
 */
export interface AnomalyQuery extends Omit<DataQuery, 'queryType'>, AnomalyQueryModel {}

export type { AnomalyDataSourceOptions, AnomalySecureJsonData } from '../common/settings';

/** Whether Kafka brokers are set; settings written by hand may hold something other than the brokers' text. */
export function hasKafkaBrokers(jsonData: { kafkaBrokers?: unknown }): boolean {
  return typeof jsonData.kafkaBrokers === 'string' && jsonData.kafkaBrokers.trim() !== '';
}
