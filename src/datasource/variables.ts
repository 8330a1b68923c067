import {
  CustomVariableSupport,
  type DataQueryRequest,
  type DataQueryResponse,
  type MetricFindValue,
} from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import { from, map, type Observable } from 'rxjs';

import type { DataSource } from './datasource';
import { VariableQueryEditor } from './VariableQueryEditor';

/** What a dashboard variable of this data source lists. */
const VARIABLE_KINDS = ['sensors', 'metrics'] as const;
export type VariableKind = (typeof VARIABLE_KINDS)[number];

/** A query variable's query, as the variable editor saves it. */
export interface VariableQuery extends DataQuery {
  kind: VariableKind;
  /**
   * Keeps only the values this pattern matches, ignoring case: `*` stands for
   * any characters (e.g. `lab2_*`); may hold template variables. Empty = all.
   */
  filter?: string;
}

/**
 * Reads a variable query in any shape it was ever saved in: the plain string
 * "sensors" or "metrics" (older dashboards and provisioning files), Grafana's
 * standard `{ query: "…" }`, or this editor's `{ kind, filter }`.
 */
export function toVariableQuery(raw: unknown): VariableQuery {
  const record = typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
  const text = typeof raw === 'string' ? raw : (record.kind ?? record.query ?? '');
  const kind = typeof text === 'string' ? text.trim().toLowerCase() : text;
  const filter = typeof record.filter === 'string' && record.filter.trim() !== '' ? record.filter.trim() : undefined;
  const refId = typeof record.refId === 'string' ? record.refId : 'variable';
  if (kind === '') {
    return { refId, kind: 'sensors', filter };
  }
  if (!VARIABLE_KINDS.includes(kind as VariableKind)) {
    throw new Error(`variable query kind: must be "sensors" or "metrics" (got ${JSON.stringify(kind)})`);
  }
  return { refId, kind: kind as VariableKind, filter };
}

/** A case-insensitive whole-value match where `*` is any run of characters and nothing else is special. */
export function filterMatcher(filter: string | undefined): (value: string) => boolean {
  if (!filter) {
    return () => true;
  }
  const pattern = filter
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${pattern}$`, 'i');
  return (value) => regex.test(value);
}

/** Query variables through Grafana's custom variable support: this data source's own editor and values. */
export class AnomalyVariableSupport extends CustomVariableSupport<DataSource, VariableQuery> {
  editor = VariableQueryEditor;

  constructor(private readonly datasource: DataSource) {
    super();
  }

  query(request: DataQueryRequest<VariableQuery>): Observable<DataQueryResponse> {
    const values: Promise<MetricFindValue[]> = this.datasource.variableValues(request.targets[0], request.scopedVars);
    return from(values).pipe(map((data) => ({ data })));
  }
}
