import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import {
  Alert,
  Combobox,
  type ComboboxOption,
  InlineFieldRow,
  InlineSwitch,
  MultiCombobox,
  Stack,
  Text,
} from '@grafana/ui';
import { useCallback, useMemo, useRef, useState } from 'react';

import {
  DEFAULT_QUERY,
  LIMITS,
  LIVE_SOURCES,
  METRICS,
  MODELS,
  QUERY_TYPES,
  TRAINING_SOURCES,
  formatDuration,
  type LiveSource,
  type Metric,
  type ModelKind,
  type QueryFieldError,
  type QueryType,
  type TrainingSource,
} from '../common/query';
import { testIds } from '../testIds';
import { contaminationHint, readingsInRange } from './contaminationHint';
import type { DataSource } from './datasource';
import { DurationField } from './DurationField';
import { FeatureSetField } from './FeatureSetField';
import { NumberField, type NumberValue } from './NumberField';
import { QueryField, RadioField } from './QueryField';
import { annotationTarget, type Drafts, type EditorMode, findQueryError, visibleFields } from './queryValidation';
import type { AnomalyDataSourceOptions, AnomalyQuery } from './types';

type Props = QueryEditorProps<DataSource, AnomalyQuery, AnomalyDataSourceOptions> & {
  /** 'annotation': the annotation editor's form (always `anomalies`, no live, no count interval). */
  mode?: EditorMode;
};

const LABEL_WIDTH = 18;

type Described = Readonly<{ label: string; description: string }>;

/** Select options in the query model's own order (src/common/query.ts), with the words the editor shows. */
function optionsOf<T extends string>(
  values: readonly T[],
  words: Readonly<Record<T, Described>>
): Array<SelectableValue<T>> {
  return values.map((value) => ({ value, ...words[value] }));
}

const QUERY_TYPE_OPTIONS = optionsOf<QueryType>(QUERY_TYPES, {
  anomalies: { label: 'Anomalies', description: 'Every reading with its anomaly score and flag' },
  anomaly_count: { label: 'Anomaly count', description: 'Anomalies per interval and sensor, for alert rules' },
});

const MODEL_OPTIONS = optionsOf<ModelKind>(MODELS, {
  isolation_forest: {
    label: 'Isolation Forest',
    description: 'Learns what normal looks like from training data; scores how easily a reading is isolated',
  },
  dbscan: {
    label: 'DBSCAN',
    description: 'Density clustering of the range’s own standardized features; noise points are anomalies',
  },
});

const TRAINING_OPTIONS = optionsOf<TrainingSource>(TRAINING_SOURCES, {
  history: { label: 'S3 history', description: 'Train on the sensor’s CSV history in S3' },
  window: {
    label: 'Window before range',
    description: 'Train on the sensor’s DynamoDB readings just before the dashboard’s range',
  },
});

const LIVE_SOURCE_OPTIONS = optionsOf<LiveSource>(LIVE_SOURCES, {
  dynamodb: {
    label: 'DynamoDB',
    description: 'Poll the table for new readings (the interval is a data source setting)',
  },
  kafka: { label: 'Kafka', description: 'Read new readings from the data source’s Kafka topic' },
});

const METRIC_LABELS: Record<Metric, string> = {
  temperature: 'Temperature',
  humidity: 'Humidity',
  pressure: 'Pressure',
  light_level: 'Light level',
};

const durationRange = (limits: { min: number; max: number }) =>
  `${formatDuration(limits.min)} to ${formatDuration(limits.max)}`;

export function QueryEditor(props: Props) {
  const { query, onChange, onRunQuery, datasource, data, range, mode = 'query' } = props;
  const [drafts, setDrafts] = useState<Drafts>({});
  const [sensorListError, setSensorListError] = useState<string>();
  const variables = useMemo(() => datasource.getVariableNames(), [datasource]);

  const errorOf = useCallback(
    (next: AnomalyQuery, nextDrafts: Drafts) =>
      findQueryError(
        datasource.applyTemplateVariables(mode === 'annotation' ? annotationTarget(next) : next, {}),
        nextDrafts
      ),
    [datasource, mode]
  );
  const error = errorOf(query, drafts);

  /** Saves a change and runs the query only when the backend would accept it. */
  const update = (patch: Partial<AnomalyQuery>) => {
    const next = withoutUndefined({ ...query, ...patch });
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
  const queryType = query.queryType ?? DEFAULT_QUERY.queryType;
  const training = query.isolationForest?.training ?? DEFAULT_QUERY.isolationForest.training;
  const metricOptions = useMemo(() => metricChoices(variables), [variables]);
  const expandedMetrics = datasource.applyTemplateVariables(query, {}).metrics ?? DEFAULT_QUERY.metrics;
  const visible = visibleFields(query, mode);
  const fieldProps = { error, labelWidth: LABEL_WIDTH };
  const numberProps = { ...fieldProps, onDraft: setDraft };
  const hint = contaminationHint({
    contamination: query.contamination ?? DEFAULT_QUERY.contamination,
    model,
    dbscanEps: asNumberValue(query.dbscan?.eps) ?? DEFAULT_QUERY.dbscan.eps,
    inRange: readingsInRange(data, range),
  });

  return (
    <Stack direction="column" gap={0.5} data-testid={testIds.queryEditor.container}>
      {mode === 'query' && (
        <InlineFieldRow>
          <RadioField
            {...fieldProps}
            label="Query type"
            tooltip="What the query returns"
            path="queryType"
            options={QUERY_TYPE_OPTIONS}
            value={queryType}
            onChange={(next) => update({ queryType: next })}
          />
          {queryType === 'anomaly_count' && (
            <DurationField
              label="Count interval"
              path="countInterval"
              tooltip={
                `Width of each count bucket, ${durationRange(LIMITS.countIntervalMs)} (e.g. "5m"). ` +
                'Empty: the panel’s or alert rule’s interval. An alert threshold depends on it (docs/alerting.md).'
              }
              value={query.countInterval}
              placeholder="auto"
              error={error}
              labelWidth={16}
              onCommit={(countInterval) => update({ countInterval })}
            />
          )}
        </InlineFieldRow>
      )}
      <InlineFieldRow>
        <QueryField
          {...fieldProps}
          label="Sensors"
          grow
          tooltip="Sensor ids, or a template variable such as $sensor. Leave empty for every sensor in the table."
          path="sensors"
        >
          <MultiCombobox<string>
            aria-label="Sensors"
            placeholder={sensorListError ? 'Type sensor ids (list unavailable)' : 'All sensors'}
            options={loadSensors}
            createCustomValue
            isClearable
            value={listShown(query.sensors) ?? []}
            onChange={(options) => update({ sensors: options.map((o) => o.value) })}
          />
        </QueryField>
      </InlineFieldRow>
      <InlineFieldRow>
        <QueryField
          {...fieldProps}
          label="Metric"
          tooltip="The reading plotted and reported as the series value (may be a template variable)"
          path="metric"
        >
          <Combobox<string>
            aria-label="Metric"
            width={24}
            options={metricOptions}
            createCustomValue
            value={query.metric ?? DEFAULT_QUERY.metric}
            onChange={(option) => update({ metric: option.value as Metric })}
          />
        </QueryField>
        <QueryField
          label="Model readings"
          labelWidth={16}
          grow
          tooltip="The readings the model sees together; its features are computed from these."
          path="metrics"
          error={error}
        >
          <MultiCombobox<string>
            aria-label="Model readings"
            options={metricOptions}
            createCustomValue
            value={listShown(query.metrics) ?? DEFAULT_QUERY.metrics}
            onChange={(options) => update({ metrics: options.map((o) => o.value as Metric) })}
          />
        </QueryField>
      </InlineFieldRow>
      <FeatureSetField
        featureSet={query.featureSet}
        transforms={query.transforms}
        metrics={[...new Set(expandedMetrics)]}
        error={error}
        labelWidth={LABEL_WIDTH}
        onChange={update}
      />
      <InlineFieldRow>
        <RadioField
          {...fieldProps}
          label="Model"
          path="model"
          options={MODEL_OPTIONS}
          value={model}
          onChange={(m) => update({ model: m })}
        />
        <NumberField
          {...numberProps}
          label="Contamination"
          path="contamination"
          tooltip={
            `Expected share of anomalies, in (${LIMITS.contamination.min}, ${LIMITS.contamination.max}]. ` +
            'The Isolation Forest sets its score threshold so that this share of its training data is flagged; ' +
            'DBSCAN with epsilon "auto" sets epsilon so that this share is noise. ' +
            '"auto" (Isolation Forest only) uses the paper’s fixed threshold instead.'
          }
          value={query.contamination}
          defaultValue={DEFAULT_QUERY.contamination}
          allowAuto={model === 'isolation_forest'}
          onCommit={(contamination) => update({ contamination })}
        />
      </InlineFieldRow>
      {hint && (
        <div data-testid={testIds.queryEditor.contaminationHint}>
          <Text color="secondary" variant="bodySmall">
            {hint}
          </Text>
        </div>
      )}
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
      </InlineFieldRow>
      {model === 'isolation_forest' && (
        <InlineFieldRow>
          <RadioField
            {...fieldProps}
            label="Training"
            path="isolationForest.training"
            options={TRAINING_OPTIONS}
            value={training}
            onChange={(next) => updateParams('isolationForest', { training: next })}
          />
          {training === 'window' && (
            <DurationField
              label="Training window"
              path="isolationForest.trainingWindow"
              tooltip={`How far back before the range to train, ${durationRange(LIMITS.trainingWindowMs)} (e.g. "24h", "7d").`}
              value={query.isolationForest?.trainingWindow}
              placeholder={DEFAULT_QUERY.isolationForest.trainingWindow}
              error={error}
              labelWidth={16}
              onCommit={(trainingWindow) => updateParams('isolationForest', { trainingWindow })}
            />
          )}
        </InlineFieldRow>
      )}
      {mode === 'query' && (
        <LiveFields
          query={query}
          kafkaConfigured={datasource.kafkaConfigured}
          error={error}
          onDraft={setDraft}
          update={update}
        />
      )}
      {error && !visible.has(error.field) && (
        <Alert severity="error" title="Invalid query" data-testid={testIds.queryEditor.errorBanner}>
          {error.message}
        </Alert>
      )}
    </Stack>
  );
}

interface LiveFieldsProps {
  query: AnomalyQuery;
  kafkaConfigured: boolean;
  error: QueryFieldError | undefined;
  onDraft: (path: string, text: string | undefined) => void;
  update: (patch: Partial<AnomalyQuery>) => void;
}

/** Live scoring: the switch, where new readings come from, and how much of a Kafka topic to replay. */
function LiveFields({ query, kafkaConfigured, error, onDraft, update }: LiveFieldsProps) {
  const liveSource = query.liveSource ?? DEFAULT_QUERY.liveSource;
  return (
    <>
      <InlineFieldRow>
        <QueryField
          label="Live"
          labelWidth={LABEL_WIDTH}
          tooltip="Keep scoring new readings as they arrive (Grafana Live), with the same model"
          path="live"
          error={error}
        >
          <InlineSwitch
            aria-label="Live"
            value={query.live ?? DEFAULT_QUERY.live}
            onChange={(event) => update({ live: event.currentTarget.checked || undefined })}
          />
        </QueryField>
        {query.live && (
          <RadioField
            label="Live source"
            labelWidth={14}
            path="liveSource"
            error={error}
            options={LIVE_SOURCE_OPTIONS}
            value={liveSource}
            onChange={(next) => update({ liveSource: next })}
          />
        )}
        {query.live && liveSource === 'kafka' && (
          <NumberField
            label="Replay (min)"
            path="liveReplayMinutes"
            tooltip={
              `Minutes of the topic to replay when the stream starts, ${LIMITS.liveReplayMinutes.min} to ` +
              `${LIMITS.liveReplayMinutes.max}; ${DEFAULT_QUERY.liveReplayMinutes} = only new messages.`
            }
            value={query.liveReplayMinutes}
            defaultValue={DEFAULT_QUERY.liveReplayMinutes}
            error={error}
            labelWidth={14}
            onDraft={onDraft}
            onCommit={(value) => update({ liveReplayMinutes: typeof value === 'number' ? value : undefined })}
          />
        )}
      </InlineFieldRow>
      {query.live && liveSource === 'kafka' && !kafkaConfigured && (
        <div data-testid={testIds.queryEditor.kafkaNotConfigured}>
          <Text color="warning" variant="bodySmall">
            This data source has no Kafka brokers configured: add them in its settings, or use DynamoDB.
          </Text>
        </div>
      )}
    </>
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
    tooltip: `Number of isolation trees (n_estimators), ${LIMITS.nEstimators.min} to ${LIMITS.nEstimators.max}`,
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
    tooltip: 'Feature columns drawn per tree: a fraction in (0, 1] (1 = all), or a count from 2 up to the columns',
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
    tooltip: 'Neighbourhood radius on standardized features (z-scores), or auto: derived from contamination',
    allowAuto: true,
  },
  {
    section: 'dbscan',
    key: 'minSamples',
    label: 'Min samples',
    tooltip: `Neighbours (including itself) a reading needs to be a core point, ${LIMITS.minSamples.min} to ${LIMITS.minSamples.max}`,
  },
];

/** The parameter as stored, wrong types included: the field shows them beside the error that names them. */
function paramValue(query: AnomalyQuery, param: ParamSpec): unknown {
  const params: Record<string, unknown> = query[param.section] ?? {};
  return params[param.key];
}

function paramDefault(param: ParamSpec): number | 'auto' {
  const entry = Object.entries(DEFAULT_QUERY[param.section]).find(([key]) => key === param.key);
  return asNumberValue(entry?.[1]) ?? 'auto';
}

function asNumberValue(value: unknown): NumberValue {
  return typeof value === 'number' || value === 'auto' ? value : undefined;
}

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

function metricChoices(variables: string[]): Array<ComboboxOption<string>> {
  return [
    ...METRICS.map((metric) => ({ label: METRIC_LABELS[metric], value: metric })),
    ...variables.map((name) => ({ label: name, value: name })),
  ];
}

/**
 * A stored list as the list box can show it: a hand-written query may hold a
 * single id, numbers or nulls (the inline error names them); the box shows the
 * ids it can and leaves the stored value alone until the user edits it.
 */
function listShown(value: unknown): string[] | undefined {
  if (value === undefined || value === null) {
    return undefined;
  }
  const items: unknown[] = Array.isArray(value) ? value : [value];
  return items.filter((item) => typeof item === 'string' || typeof item === 'number').map(String);
}

/** Drops cleared fields so the query JSON says "default" by omission, not with nulls. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
