import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import {
  Alert,
  Combobox,
  type ComboboxOption,
  InlineField,
  InlineFieldRow,
  MultiCombobox,
  RadioButtonGroup,
  Stack,
} from '@grafana/ui';
import { useCallback, useMemo, useRef, useState } from 'react';

import {
  DEFAULT_QUERY,
  METRICS,
  type Metric,
  type ModelKind,
  type QueryFieldError,
  type QueryType,
  type TrainingSource,
} from '../common/query';
import type { DataSource } from './datasource';
import { NumberField, type NumberValue } from './NumberField';
import { type Drafts, findQueryError } from './queryValidation';
import type { AnomalyDataSourceOptions, AnomalyQuery } from './types';

type Props = QueryEditorProps<DataSource, AnomalyQuery, AnomalyDataSourceOptions>;

const LABEL_WIDTH = 18;

const QUERY_TYPE_OPTIONS: Array<SelectableValue<QueryType>> = [
  { label: 'Anomalies', value: 'anomalies', description: 'Every reading with its anomaly score and flag' },
  { label: 'Anomaly count', value: 'anomaly_count', description: 'Anomalies per interval and sensor, for alert rules' },
];

const MODEL_OPTIONS: Array<SelectableValue<ModelKind>> = [
  {
    label: 'Isolation Forest',
    value: 'isolation_forest',
    description: 'Trained on history; scores how easily a reading is isolated',
  },
  {
    label: 'DBSCAN',
    value: 'dbscan',
    description: 'Density clustering of standardized readings; noise points are anomalies',
  },
];

const TRAINING_OPTIONS: Array<SelectableValue<TrainingSource>> = [
  { label: 'S3 history', value: 'history', description: 'Train on the sensor’s CSV history in S3' },
  {
    label: 'Window before range',
    value: 'window',
    description: 'Train on the readings just before the dashboard’s range',
  },
];

const METRIC_LABELS: Record<Metric, string> = {
  temperature: 'Temperature',
  humidity: 'Humidity',
  pressure: 'Pressure',
  light_level: 'Light level',
};

export function QueryEditor({ query, onChange, onRunQuery, datasource }: Props) {
  const [drafts, setDrafts] = useState<Drafts>({});
  const [sensorListError, setSensorListError] = useState<string>();
  const variables = useMemo(() => datasource.getVariableNames(), [datasource]);

  const errorOf = useCallback(
    (next: AnomalyQuery, nextDrafts: Drafts) => findQueryError(datasource.applyTemplateVariables(next, {}), nextDrafts),
    [datasource]
  );
  const error = errorOf(query, drafts);

  /** Saves a change and runs the query only when the backend would accept it. */
  const update = (patch: Partial<AnomalyQuery>) => {
    const next = { ...query, ...patch };
    onChange(next);
    if (!errorOf(next, drafts)) {
      onRunQuery();
    }
  };
  const updateParams = (section: ParamSection, patch: Record<string, unknown>) =>
    // A computed key over a union widens to a string index; the section's own type is kept by the spread.
    update({ [section]: withoutUndefined({ ...query[section], ...patch }) } as Partial<AnomalyQuery>);
  const setDraft = (path: string, text: string | undefined) =>
    setDrafts((current) => {
      const { [path]: _previous, ...rest } = current;
      return text === undefined ? rest : { ...rest, [path]: text };
    });

  // The sensor list is fetched once per editor, when the list is first opened, not per keystroke.
  const sensorList = useRef<Promise<SensorList>>(undefined);
  const loadSensors = useCallback(
    async (input: string): Promise<Array<ComboboxOption<string>>> => {
      sensorList.current ??= fetchSensorList(datasource);
      const { sensors, error: listError } = await sensorList.current;
      setSensorListError(listError);
      const needle = input.toLowerCase();
      return [...variables, ...sensors]
        .filter((id) => id.toLowerCase().includes(needle))
        .map((id) => ({ label: id, value: id }));
    },
    [datasource, variables]
  );

  const model = query.model ?? DEFAULT_QUERY.model;
  const metricOptions = useMemo(() => metricChoices(variables), [variables]);
  const fieldProps = (path: string) => validationProps(error, path);
  const numberProps = { error, labelWidth: LABEL_WIDTH, onDraft: setDraft };

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        <InlineField
          label="Query type"
          labelWidth={LABEL_WIDTH}
          tooltip="What the query returns"
          {...fieldProps('queryType')}
        >
          <RadioButtonGroup
            aria-label="Query type"
            options={QUERY_TYPE_OPTIONS}
            value={query.queryType ?? DEFAULT_QUERY.queryType}
            onChange={(queryType) => update({ queryType })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField
          label="Sensors"
          labelWidth={LABEL_WIDTH}
          grow
          tooltip="Sensor ids, or a template variable such as $sensor. Leave empty for every sensor in the table."
          {...fieldProps('sensors')}
        >
          <MultiCombobox<string>
            aria-label="Sensors"
            placeholder={sensorListError ? 'Type sensor ids (list unavailable)' : 'All sensors'}
            options={loadSensors}
            createCustomValue
            isClearable
            value={query.sensors ?? []}
            onChange={(options) => update({ sensors: options.map((o) => o.value) })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField
          label="Metric"
          labelWidth={LABEL_WIDTH}
          tooltip="The reading plotted and reported as the series value (may be a template variable)"
          {...fieldProps('metric')}
        >
          <Combobox<string>
            aria-label="Metric"
            width={24}
            options={metricOptions}
            createCustomValue
            value={query.metric ?? DEFAULT_QUERY.metric}
            onChange={(option) => update({ metric: option.value as Metric })}
          />
        </InlineField>
        <InlineField
          label="Features"
          labelWidth={12}
          grow
          tooltip="The readings the model sees together. Time is never a feature."
          {...fieldProps('metrics')}
        >
          <MultiCombobox<string>
            aria-label="Features"
            options={metricOptions}
            createCustomValue
            value={query.metrics ?? DEFAULT_QUERY.metrics}
            onChange={(options) => update({ metrics: options.map((o) => o.value as Metric) })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField label="Model" labelWidth={LABEL_WIDTH} {...fieldProps('model')}>
          <RadioButtonGroup
            aria-label="Model"
            options={MODEL_OPTIONS}
            value={model}
            onChange={(m) => update({ model: m })}
          />
        </InlineField>
        <NumberField
          {...numberProps}
          label="Contamination"
          path="contamination"
          tooltip={
            'Expected share of anomalies, in (0, 0.5]. The score threshold is set so this share of the training data ' +
            'is flagged. "auto" (Isolation Forest only) uses the paper’s fixed threshold and flags far more on sensor data.'
          }
          value={query.contamination}
          defaultValue={DEFAULT_QUERY.contamination}
          allowAuto={model === 'isolation_forest'}
          onCommit={(contamination) => update({ contamination })}
        />
      </InlineFieldRow>
      <InlineFieldRow>
        {(model === 'isolation_forest' ? FOREST_PARAMS : DBSCAN_PARAMS).map((param) => (
          <NumberField
            {...numberProps}
            key={param.key}
            label={param.label}
            path={`${param.section}.${param.key}`}
            tooltip={param.tooltip}
            allowAuto={param.allowAuto}
            value={paramValue(query, param)}
            defaultValue={paramDefault(param)}
            onCommit={(value) => updateParams(param.section, { [param.key]: value })}
          />
        ))}
        {model === 'isolation_forest' && (
          <InlineField label="Training" labelWidth={LABEL_WIDTH} {...fieldProps('isolationForest.training')}>
            <RadioButtonGroup
              aria-label="Training"
              options={TRAINING_OPTIONS}
              value={query.isolationForest?.training ?? DEFAULT_QUERY.isolationForest.training}
              onChange={(training) => updateParams('isolationForest', { training })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      {error && !isShownInline(error.field, model) && (
        <Alert severity="error" title="Invalid query">
          {error.message}
        </Alert>
      )}
    </Stack>
  );
}

type ParamSection = 'isolationForest' | 'dbscan';

/** A numeric model parameter: where it sits in the query and how the editor presents it. */
interface ParamSpec {
  section: ParamSection;
  key: string;
  label: string;
  tooltip: string;
  /** Offer "auto" (only where the query model allows it). */
  allowAuto?: boolean;
}

const FOREST_PARAMS: ParamSpec[] = [
  {
    section: 'isolationForest',
    key: 'nEstimators',
    label: 'Trees',
    tooltip: 'Number of isolation trees (n_estimators), 1 to 1000',
  },
  {
    section: 'isolationForest',
    key: 'maxSamples',
    label: 'Max samples',
    tooltip: 'Readings drawn per tree: a fraction in (0, 1] (1 = all), a count ≥ 2, or auto = min(256, readings)',
    allowAuto: true,
  },
  {
    section: 'isolationForest',
    key: 'maxFeatures',
    label: 'Max features',
    tooltip: 'Features drawn per tree: a fraction in (0, 1] (1 = all), or a count from 2 up to the number of features',
  },
  {
    section: 'isolationForest',
    key: 'seed',
    label: 'Seed',
    tooltip: 'Random seed, so the same data gives the same scores',
  },
];

const DBSCAN_PARAMS: ParamSpec[] = [
  {
    section: 'dbscan',
    key: 'eps',
    label: 'Epsilon',
    tooltip: 'Neighbourhood radius on standardized readings (z-scores), or auto: derived from contamination',
    allowAuto: true,
  },
  {
    section: 'dbscan',
    key: 'minSamples',
    label: 'Min samples',
    tooltip: 'Neighbours (including itself) a reading needs to be a core point',
  },
];

function paramValue(query: AnomalyQuery, param: ParamSpec): NumberValue {
  const params: Record<string, unknown> = query[param.section] ?? {};
  return asNumberValue(params[param.key]);
}

function paramDefault(param: ParamSpec): number | 'auto' {
  const entry = Object.entries(DEFAULT_QUERY[param.section]).find(([key]) => key === param.key);
  return asNumberValue(entry?.[1]) ?? 'auto';
}

function asNumberValue(value: unknown): NumberValue {
  return typeof value === 'number' || value === 'auto' ? value : undefined;
}

/** Whether the field has a visible control that shows its error; otherwise a banner does. */
function isShownInline(field: string, model: ModelKind): boolean {
  const [section, leaf] = field.split('.', 2);
  if (leaf === undefined) {
    return TOP_LEVEL_FIELDS.has(field);
  }
  return (
    (section === 'isolationForest' && model === 'isolation_forest') || (section === 'dbscan' && model === 'dbscan')
  );
}

const TOP_LEVEL_FIELDS = new Set(['queryType', 'sensors', 'metric', 'metrics', 'model', 'contamination']);

interface SensorList {
  sensors: string[];
  error?: string;
}

/** The table's sensor ids; on failure (e.g. an old backend without the resource) ids can still be typed in. */
async function fetchSensorList(datasource: DataSource): Promise<SensorList> {
  try {
    return { sensors: await datasource.getSensors() };
  } catch (e) {
    return { sensors: [], error: e instanceof Error ? e.message : String(e) };
  }
}

function validationProps(error: QueryFieldError | undefined, path: string) {
  const invalid = error?.field === path;
  return { invalid, error: invalid ? error?.message : undefined };
}

function metricChoices(variables: string[]): Array<ComboboxOption<string>> {
  return [
    ...METRICS.map((metric) => ({ label: METRIC_LABELS[metric], value: metric })),
    ...variables.map((name) => ({ label: name, value: name })),
  ];
}

/** Drops cleared parameters so the query JSON says "default" by omission, not with nulls. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
