import type { DataSourcePluginOptionsEditorProps, SelectableValue } from '@grafana/data';
import { type ConnectionConfigProps, ConnectionConfig } from '@grafana/aws-sdk';
import { ConfigSection } from '@grafana/plugin-ui';
import { Field, Input, RadioButtonGroup, SecretInput, Stack, Switch } from '@grafana/ui';
import { type ChangeEvent, type ComponentProps, type ReactNode, useState } from 'react';

import {
  checkKafkaBrokers,
  checkNumericSetting,
  DEFAULT_SETTINGS,
  KAFKA_SASL_MECHANISMS,
  type NumericSetting,
  SETTINGS_LIMITS,
  type AnomalySecureJsonData,
  type KafkaSaslMechanism,
  type TimestampUnit,
} from '../common/settings';
import { testIds } from '../testIds';
import { type AnomalyDataSourceOptions, hasKafkaBrokers } from './types';

type Props = DataSourcePluginOptionsEditorProps<AnomalyDataSourceOptions, AnomalySecureJsonData>;
type StringSetting = {
  [K in keyof AnomalyDataSourceOptions]-?: AnomalyDataSourceOptions[K] extends string | undefined ? K : never;
}[keyof AnomalyDataSourceOptions];
type BooleanSetting = {
  [K in keyof AnomalyDataSourceOptions]-?: AnomalyDataSourceOptions[K] extends boolean | undefined ? K : never;
}[keyof AnomalyDataSourceOptions];
type SecretKey = 'sessionToken' | 'kafkaPassword';

const INPUT_WIDTH = 40;

const TIMESTAMP_UNIT_OPTIONS: Array<SelectableValue<TimestampUnit>> = [
  { label: 'Auto', value: 'auto', description: 'Below 10^11 is seconds, above is milliseconds' },
  { label: 'Seconds', value: 's' },
  { label: 'Milliseconds', value: 'ms' },
];

const SASL_LABELS: Record<KafkaSaslMechanism, string> = {
  none: 'None',
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
};
const SASL_OPTIONS: Array<SelectableValue<KafkaSaslMechanism>> = KAFKA_SASL_MECHANISMS.map((mechanism) => ({
  label: SASL_LABELS[mechanism],
  value: mechanism,
}));

interface TextSetting {
  label: string;
  description: string;
  placeholder: string;
  required?: boolean;
  /** Why the text is not valid, in the backend's words; shown on blur. */
  validate?: (text: string) => string | undefined;
}

const defaultNote = (value: string) => ` Default: ${value}.`;

function kafkaBrokersError(text: string): string | undefined {
  const check = checkKafkaBrokers(text);
  return check.ok ? undefined : check.message;
}

/** The free-text settings: what each means and what the backend uses when it is left empty. */
const TEXT_SETTINGS: Partial<Record<StringSetting, TextSetting>> = {
  table: {
    label: 'Table',
    description: 'Name of the DynamoDB table holding the readings.',
    placeholder: 'lab_sensmitter',
    required: true,
  },
  sensorIdAttribute: {
    label: 'Sensor id attribute',
    description: 'Partition key holding the sensor id.' + defaultNote(DEFAULT_SETTINGS.sensorIdAttribute),
    placeholder: DEFAULT_SETTINGS.sensorIdAttribute,
  },
  timestampAttribute: {
    label: 'Timestamp attribute',
    description: "Sort key holding the reading's epoch time." + defaultNote(DEFAULT_SETTINGS.timestampAttribute),
    placeholder: DEFAULT_SETTINGS.timestampAttribute,
  },
  readingsPath: {
    label: 'Readings path',
    description: 'Dotted path to the map of readings in each item.' + defaultNote(DEFAULT_SETTINGS.readingsPath),
    placeholder: DEFAULT_SETTINGS.readingsPath,
  },
  historyBucket: { label: 'Bucket', description: 'S3 bucket holding the history files.', placeholder: 'mylabdata' },
  historyKeyTemplate: {
    label: 'Key template',
    description:
      'Object key per sensor; {sensor} is replaced by the sensor id.' +
      defaultNote(DEFAULT_SETTINGS.historyKeyTemplate),
    placeholder: DEFAULT_SETTINGS.historyKeyTemplate,
  },
  s3Endpoint: {
    label: 'S3 endpoint',
    description:
      'Override for S3-compatible servers (e.g. http://localhost:9000 for the local stack). Leave empty for AWS.',
    placeholder: 'https://s3.{region}.amazonaws.com',
  },
  modelKeyPrefix: {
    label: 'Model key prefix',
    description:
      'Trained models are saved as JSON under this prefix in the same bucket, so the Kafka scoring worker uses the ' +
      "dashboards' models." +
      defaultNote(DEFAULT_SETTINGS.modelKeyPrefix),
    placeholder: DEFAULT_SETTINGS.modelKeyPrefix,
  },
  kafkaBrokers: {
    label: 'Brokers',
    description: 'Comma-separated host:port list. Leave empty if this data source does not use Kafka.',
    placeholder: 'b-1.kafka.example.com:9094',
    validate: kafkaBrokersError,
  },
  kafkaReadingsTopic: {
    label: 'Readings topic',
    description:
      'Topic the sensors publish readings to (live queries with source Kafka).' +
      defaultNote(DEFAULT_SETTINGS.kafkaReadingsTopic),
    placeholder: DEFAULT_SETTINGS.kafkaReadingsTopic,
  },
  kafkaAnomaliesTopic: {
    label: 'Anomalies topic',
    description:
      'Topic anomalies are published to, when publishing is on.' + defaultNote(DEFAULT_SETTINGS.kafkaAnomaliesTopic),
    placeholder: DEFAULT_SETTINGS.kafkaAnomaliesTopic,
  },
  kafkaUsername: { label: 'Username', description: 'SASL user name.', placeholder: '' },
  kafkaSensorIdField: {
    label: 'Sensor id field',
    description: 'Field of a reading message holding the sensor id.' + defaultNote(DEFAULT_SETTINGS.kafkaSensorIdField),
    placeholder: DEFAULT_SETTINGS.kafkaSensorIdField,
  },
  kafkaTimestampField: {
    label: 'Timestamp field',
    description:
      "Field holding the reading's epoch time (read like the DynamoDB timestamp)." +
      defaultNote(DEFAULT_SETTINGS.kafkaTimestampField),
    placeholder: DEFAULT_SETTINGS.kafkaTimestampField,
  },
  kafkaReadingsPath: {
    label: 'Readings path',
    description: 'Dotted path to the map of readings in a message.' + defaultNote(DEFAULT_SETTINGS.kafkaReadingsPath),
    placeholder: DEFAULT_SETTINGS.kafkaReadingsPath,
  },
};

interface IntegerSetting {
  label: string;
  description: string;
}

const INTEGER_SETTINGS: Record<NumericSetting, IntegerSetting> = {
  maxItemsPerQuery: {
    label: 'Max items per query',
    description: `Most items one query reads; a query that stops there says so in a frame notice. Default: ${DEFAULT_SETTINGS.maxItemsPerQuery}.`,
  },
  refreshOverlapMs: {
    label: 'Refresh overlap (ms)',
    description:
      'A dashboard refresh reads only readings newer than those it already holds, going back this far for ' +
      `readings written late. Default: ${DEFAULT_SETTINGS.refreshOverlapMs}.`,
  },
  livePollIntervalMs: {
    label: 'Live polling interval (ms)',
    description: `How often a live query with source DynamoDB looks for new readings. Default: ${DEFAULT_SETTINGS.livePollIntervalMs}.`,
  },
};

type ChoiceSetting = 'timestampUnit' | 'kafkaSaslMechanism';
type Choice<K extends ChoiceSetting> = NonNullable<AnomalyDataSourceOptions[K]>;

const CHOICE_SETTINGS: {
  [K in ChoiceSetting]: { label: string; description: string; options: Array<SelectableValue<Choice<K>>> };
} = {
  timestampUnit: {
    label: 'Timestamp unit',
    description: 'Auto (the default) reads values below 10^11 as seconds and larger ones as milliseconds.',
    options: TIMESTAMP_UNIT_OPTIONS,
  },
  kafkaSaslMechanism: {
    label: 'SASL',
    description: 'How the client authenticates to the brokers.',
    options: SASL_OPTIONS,
  },
};

interface SwitchSetting {
  label: string;
  description: string;
}

const SWITCH_SETTINGS: Record<BooleanSetting, SwitchSetting> = {
  s3ForcePathStyle: {
    label: 'Path-style addressing',
    description:
      'Use bucket names in the path instead of the host name; most S3-compatible servers need it. Default: on.',
  },
  kafkaPublishAnomalies: {
    label: 'Publish anomalies',
    description: 'Publish every anomaly a live query finds to the anomalies topic. Default: off.',
  },
  kafkaTls: { label: 'TLS', description: 'Connect to the brokers over TLS. Default: off.' },
};

/** A row of the settings page: a jsonData setting, or the Kafka password (a secret). */
type SettingRow =
  | StringSetting
  | NumericSetting
  | BooleanSetting
  | 'timestampUnit'
  | 'kafkaSaslMechanism'
  | 'kafkaPassword';

interface Section {
  title: string;
  description: string;
  /** Makes the section collapsible; it starts open when this says its settings are in use. */
  openWhen?: (jsonData: AnomalyDataSourceOptions) => boolean;
  rows: readonly SettingRow[];
}

const usesSasl = (jsonData: AnomalyDataSourceOptions) =>
  (jsonData.kafkaSaslMechanism ?? DEFAULT_SETTINGS.kafkaSaslMechanism) !== 'none';

/** Rows shown only when another setting asks for them. */
const SHOWN_WHEN: Partial<Record<SettingRow, (jsonData: AnomalyDataSourceOptions) => boolean>> = {
  kafkaUsername: usesSasl,
  kafkaPassword: usesSasl,
};

/** The page below the AWS connection, section by section. */
const SECTIONS: readonly Section[] = [
  {
    title: 'DynamoDB',
    description: 'The table the sensors write their readings to.',
    rows: ['table', 'sensorIdAttribute', 'timestampAttribute', 'timestampUnit', 'readingsPath', 'maxItemsPerQuery'],
  },
  {
    title: 'Training data and models (S3)',
    description:
      'CSV history per sensor that the Isolation Forest learns normal behaviour from, and where trained models are kept. Credentials and region are those of the connection above.',
    rows: ['historyBucket', 'historyKeyTemplate', 's3Endpoint', 's3ForcePathStyle', 'modelKeyPrefix'],
  },
  {
    title: 'Refresh and Live',
    description: 'How dashboard refreshes and live queries read new readings.',
    openWhen: (jsonData) => jsonData.refreshOverlapMs !== undefined || jsonData.livePollIntervalMs !== undefined,
    rows: ['refreshOverlapMs', 'livePollIntervalMs'],
  },
  {
    title: 'Kafka',
    description: 'Optional: live queries can read readings from a Kafka topic, and anomalies can be published to one.',
    openWhen: hasKafkaBrokers,
    rows: [
      'kafkaBrokers',
      'kafkaReadingsTopic',
      'kafkaAnomaliesTopic',
      'kafkaPublishAnomalies',
      'kafkaTls',
      'kafkaSaslMechanism',
      'kafkaUsername',
      'kafkaPassword',
    ],
  },
  {
    title: 'Kafka message fields',
    description: 'Where a reading message keeps its parts; the defaults follow the DynamoDB item shape.',
    openWhen: () => false,
    rows: ['kafkaSensorIdField', 'kafkaTimestampField', 'kafkaReadingsPath'],
  },
];

const isNumericSetting = (row: SettingRow): row is NumericSetting => row in INTEGER_SETTINGS;
const isBooleanSetting = (row: SettingRow): row is BooleanSetting => row in SWITCH_SETTINGS;

/**
 * The data source's settings page: the AWS connection (Grafana's own AWS
 * component, so it behaves like CloudWatch or Athena), where readings sit in
 * DynamoDB, the training history and saved models in S3, refresh and Live
 * tuning, and Kafka. Secrets go only to secureJsonData, which Grafana encrypts
 * and never sends back to the browser.
 */
export function ConfigEditor(props: Props) {
  const { onOptionsChange } = props;
  // Settings saved before a field existed, or over the HTTP API, may lack jsonData or secureJsonFields.
  const options = {
    ...props.options,
    jsonData: props.options.jsonData ?? {},
    secureJsonFields: props.options.secureJsonFields ?? {},
  };
  const jsonData = options.jsonData;

  const setJson = <K extends keyof AnomalyDataSourceOptions>(key: K, value: AnomalyDataSourceOptions[K]) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, [key]: value } });
  const setSecret = (key: SecretKey, value: string) =>
    onOptionsChange({ ...options, secureJsonData: { ...options.secureJsonData, [key]: value } });
  const resetSecret = (key: SecretKey) =>
    onOptionsChange({
      ...options,
      secureJsonFields: { ...options.secureJsonFields, [key]: false },
      secureJsonData: { ...options.secureJsonData, [key]: '' },
    });

  const textField = (key: StringSetting) => (
    <TextField
      key={key}
      id={key}
      setting={TEXT_SETTINGS[key]!}
      value={jsonData[key]}
      onChange={(v) => setJson(key, v)}
    />
  );
  const integerField = (key: NumericSetting) => (
    <IntegerField key={key} id={key} value={jsonData[key]} onChange={(v) => setJson(key, v)} />
  );
  const switchField = (key: BooleanSetting) => (
    <Field key={key} {...SWITCH_SETTINGS[key]} htmlFor={key}>
      <Switch
        id={key}
        value={jsonData[key] ?? DEFAULT_SETTINGS[key]}
        onChange={(event) => setJson(key, event.currentTarget.checked)}
      />
    </Field>
  );
  const secretField = (key: SecretKey, label: string, description: string) => (
    <Field key={key} label={label} description={description} htmlFor={key}>
      <SecretInput
        id={key}
        width={INPUT_WIDTH}
        isConfigured={Boolean(options.secureJsonFields?.[key])}
        value={options.secureJsonData?.[key] ?? ''}
        onChange={(event) => setSecret(key, event.currentTarget.value)}
        onReset={() => resetSecret(key)}
      />
    </Field>
  );
  const choiceField = <K extends ChoiceSetting>(key: K) => (
    <Field key={key} label={CHOICE_SETTINGS[key].label} description={CHOICE_SETTINGS[key].description} htmlFor={key}>
      <RadioButtonGroup<Choice<K>>
        id={key}
        options={CHOICE_SETTINGS[key].options}
        value={jsonData[key] ?? DEFAULT_SETTINGS[key]}
        onChange={(value) => setJson(key, value)}
      />
    </Field>
  );
  const row = (key: SettingRow): ReactNode => {
    if (key === 'timestampUnit' || key === 'kafkaSaslMechanism') {
      return choiceField(key);
    }
    if (key === 'kafkaPassword') {
      return secretField(key, 'Password', 'SASL password; stored encrypted.');
    }
    return isNumericSetting(key) ? integerField(key) : isBooleanSetting(key) ? switchField(key) : textField(key);
  };
  const shown = (key: SettingRow) => SHOWN_WHEN[key]?.(jsonData) ?? true;

  return (
    <Stack direction="column" gap={2} data-testid={testIds.configEditor.container}>
      <div>
        <ConnectionConfig
          // @grafana/aws-sdk types authType as its own enum; ours holds the same strings.
          // It offers whatever Grafana's [aws] allowed_auth_providers allows; the backend
          // takes default, keys and credentials, and names authType for any other.
          {...({ ...props, options } as unknown as ConnectionConfigProps)}
          defaultEndpoint="https://dynamodb.{region}.amazonaws.com"
        />
        {jsonData.authType === 'keys' &&
          secretField(
            'sessionToken',
            'Session token',
            'Only for temporary credentials (STS); leave empty for long-lived access keys.'
          )}
      </div>

      {SECTIONS.map(({ title, description, openWhen, rows }) => (
        <ConfigSection
          key={title}
          title={title}
          description={description}
          isCollapsible={openWhen !== undefined}
          isInitiallyOpen={openWhen?.(jsonData)}
        >
          {rows.filter(shown).map(row)}
        </ConfigSection>
      ))}
    </Stack>
  );
}

interface TextFieldProps {
  id: string;
  setting: TextSetting;
  value: string | undefined;
  onChange: (value: string | undefined) => void;
}

function TextField({ id, setting, value, onChange }: TextFieldProps) {
  const { validate, ...shown } = setting;
  const [error, setError] = useState<string>();
  return (
    <InputField
      id={id}
      {...shown}
      error={error}
      value={value ?? ''}
      onChange={(event: ChangeEvent<HTMLInputElement>) => {
        const text = event.currentTarget.value;
        onChange(text === '' ? undefined : text);
      }}
      onBlur={(event) => setError(validate?.(event.currentTarget.value))}
    />
  );
}

interface IntegerFieldProps {
  id: NumericSetting;
  value: number | undefined;
  onChange: (value: number | undefined) => void;
}

/** Commits only values within SETTINGS_LIMITS; anything else stays in the box with the backend's own message. */
function IntegerField({ id, value, onChange }: IntegerFieldProps) {
  const { label, description } = INTEGER_SETTINGS[id];
  const [text, setText] = useState(value === undefined ? '' : String(value));
  const [error, setError] = useState<string>();
  const commit = () => {
    if (text.trim() === '') {
      setError(undefined);
      onChange(undefined);
      return;
    }
    const check = checkNumericSetting(id, text);
    setError(check.ok ? undefined : check.message);
    if (check.ok) {
      onChange(check.value);
    }
  };
  const { min, max } = SETTINGS_LIMITS[id];
  return (
    <InputField
      id={id}
      label={label}
      description={`${description} From ${min} to ${max}.`}
      error={error}
      inputMode="numeric"
      value={text}
      placeholder={String(DEFAULT_SETTINGS[id])}
      onChange={(event) => setText(event.currentTarget.value)}
      onBlur={commit}
    />
  );
}

type InputFieldProps = ComponentProps<typeof Input> & {
  id: string;
  label: string;
  description: string;
  required?: boolean;
  /** Why the text was refused, shown under the box; undefined when it was not. */
  error: string | undefined;
};

/** A labelled text box of the settings page, with the message of its last refused value. */
function InputField({ id, label, description, required, error, ...input }: InputFieldProps) {
  return (
    <Field
      label={label}
      description={description}
      required={required}
      htmlFor={id}
      invalid={error !== undefined}
      error={error}
    >
      <Input id={id} width={INPUT_WIDTH} {...input} />
    </Field>
  );
}
