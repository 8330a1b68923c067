import { type DataSourceSettings, EventBusSrv, PluginContextProvider, type PluginMeta } from '@grafana/data';
import { config, setAppEvents } from '@grafana/runtime';
import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';

import { SETTINGS_LIMITS } from '../common/settings';
import { testIds } from '../testIds';
import { ConfigEditor } from './ConfigEditor';
import type { AnomalyDataSourceOptions, AnomalySecureJsonData } from './types';

// The AWS connection component renders a large tree; on a busy shared machine typing
// into it can take longer than jest's default 5 s.
jest.setTimeout(30_000);

// No delay between keystrokes: typing stays fast on a busy machine.
const user = userEvent.setup({ delay: null });

type Settings = DataSourceSettings<AnomalyDataSourceOptions, AnomalySecureJsonData>;

function settings(overrides: Partial<Settings> = {}): Settings {
  return {
    id: 1,
    uid: 'iotlab-anomaly',
    orgId: 1,
    name: 'IoT Lab Anomaly',
    type: 'iotlab-anomaly-datasource',
    typeName: 'IoT Lab Anomaly',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    database: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    withCredentials: false,
    readOnly: false,
    jsonData: { authType: 'keys', defaultRegion: 'us-east-1' },
    secureJsonFields: {},
    ...overrides,
  };
}

/**
 * Puts text into a box in one input event: typing it key by key re-renders the whole settings
 * page (the AWS component included) per character, which takes seconds on a busy machine.
 */
async function fill(input: HTMLElement, text: string) {
  await user.click(input);
  await user.paste(text);
}

/** Renders the editor the way Grafana does: the settings it gets back are the ones it last reported. */
function setup(initial: Settings) {
  const changes: Settings[] = [];
  function Harness() {
    const [options, setOptions] = useState(initial);
    return (
      <ConfigEditor
        options={options}
        onOptionsChange={(next) => {
          changes.push(next);
          setOptions(next);
        }}
      />
    );
  }
  // Grafana renders settings editors inside the plugin's context (the AWS component reports through it).
  const meta = { id: 'iotlab-anomaly-datasource', name: 'IoT Lab Anomaly', info: { version: '0.1.0' } } as PluginMeta;
  render(
    <PluginContextProvider meta={meta}>
      <Harness />
    </PluginContextProvider>
  );
  return { last: () => changes[changes.length - 1] };
}

beforeAll(() => {
  // Grafana fills these from its [aws] settings; the connection component reads them.
  config.awsAllowedAuthProviders = ['default', 'keys', 'credentials'];
  config.awsAssumeRoleEnabled = true;
  // The AWS component listens for the settings page's save event.
  setAppEvents(new EventBusSrv());
});

describe('ConfigEditor', () => {
  it('writes the DynamoDB and S3 settings to jsonData', async () => {
    const { last } = setup(settings());
    await fill(screen.getByLabelText(/^Table/), 'lab_sensmitter');
    await fill(screen.getByLabelText(/^Readings path/), 'payload.data');
    await fill(screen.getByLabelText(/^Bucket/), 'mylabdata');
    await fill(screen.getByLabelText(/^Key template/), '{sensor}.csv');
    await fill(screen.getByLabelText(/^S3 endpoint/), 'http://localhost:5000');
    await user.click(screen.getByRole('radio', { name: 'Milliseconds' }));
    await user.click(screen.getByLabelText(/^Path-style addressing/));
    expect(last().jsonData).toEqual({
      authType: 'keys',
      defaultRegion: 'us-east-1',
      table: 'lab_sensmitter',
      readingsPath: 'payload.data',
      historyBucket: 'mylabdata',
      historyKeyTemplate: '{sensor}.csv',
      s3Endpoint: 'http://localhost:5000',
      timestampUnit: 'ms',
      s3ForcePathStyle: false,
    });
  });

  it('puts the access keys and session token in secureJsonData only', async () => {
    const { last } = setup(settings());
    await fill(screen.getByLabelText('Access Key ID'), 'AKIAEXAMPLE');
    await fill(screen.getByLabelText('Secret Access Key'), 'secret-example');
    await fill(screen.getByLabelText(/^Session token/), 'token-example');
    const saved = last();
    expect(saved.secureJsonData).toEqual({
      accessKey: 'AKIAEXAMPLE',
      secretKey: 'secret-example',
      sessionToken: 'token-example',
    });
    const jsonText = JSON.stringify(saved.jsonData);
    for (const secret of ['AKIAEXAMPLE', 'secret-example', 'token-example']) {
      expect(jsonText).not.toContain(secret);
    }
  });

  it('resets a configured session token', async () => {
    const { last } = setup(settings({ secureJsonFields: { sessionToken: true } }));
    const resets = screen.getAllByRole('button', { name: 'Reset' });
    await user.click(resets[resets.length - 1]);
    expect(last().secureJsonFields.sessionToken).toBe(false);
    expect(last().secureJsonData?.sessionToken).toBe('');
  });

  it('accepts a whole max-items number and rejects anything else with the field named', async () => {
    const { last } = setup(settings());
    const input = screen.getByLabelText(/^Max items per query/);
    await fill(input, '5000');
    fireEvent.blur(input);
    expect(last().jsonData.maxItemsPerQuery).toBe(5000);
    await user.clear(input);
    await fill(input, '2.5');
    fireEvent.blur(input);
    expect(screen.getByText('maxItemsPerQuery: must be an integer from 1 to 10000000 (got "2.5")')).toBeInTheDocument();
    expect(last().jsonData.maxItemsPerQuery).toBe(5000);
  });

  it('opens settings saved without jsonData or secureJsonFields, and with brokers that are not text', () => {
    setup(settings({ jsonData: undefined, secureJsonFields: undefined } as unknown as Partial<Settings>));
    expect(screen.getByTestId(testIds.configEditor.container)).toBeInTheDocument();
    const odd = { authType: 'keys', kafkaBrokers: ['broker:9092'], table: 5 } as unknown as AnomalyDataSourceOptions;
    setup(settings({ jsonData: odd }));
    expect(screen.getAllByTestId(testIds.configEditor.container)).toHaveLength(2);
  });

  it('explains the defaults', () => {
    setup(settings());
    expect(screen.getByText(/Default: uid\./)).toBeInTheDocument();
    expect(screen.getByText(/Default: \{sensor\}\.csv\./)).toBeInTheDocument();
  });

  it('rejects a refresh overlap or polling interval outside the shared limits, naming the setting', async () => {
    const { last } = setup(settings());
    await user.click(screen.getByRole('button', { name: 'Expand section Refresh and Live' }));
    const overlap = screen.getByLabelText(/^Refresh overlap/);
    await fill(overlap, '30000');
    fireEvent.blur(overlap);
    expect(last().jsonData.refreshOverlapMs).toBe(30000);
    const poll = screen.getByLabelText(/^Live polling interval/);
    await fill(poll, String(SETTINGS_LIMITS.livePollIntervalMs.min - 1));
    fireEvent.blur(poll);
    expect(
      screen.getByText(
        `livePollIntervalMs: must be an integer from ${SETTINGS_LIMITS.livePollIntervalMs.min} to ` +
          `${SETTINGS_LIMITS.livePollIntervalMs.max} (got "${SETTINGS_LIMITS.livePollIntervalMs.min - 1}")`
      )
    ).toBeInTheDocument();
    expect(last().jsonData.livePollIntervalMs).toBeUndefined();
  });

  it('saves the model prefix with the S3 settings', async () => {
    const { last } = setup(settings());
    await fill(screen.getByLabelText(/^Model key prefix/), 'models/v2/');
    expect(last().jsonData.modelKeyPrefix).toBe('models/v2/');
  });

  it('checks the Kafka brokers on blur, naming the first that is not host:port', async () => {
    const { last } = setup(settings());
    await user.click(screen.getByRole('button', { name: 'Expand section Kafka' }));
    const brokers = screen.getByLabelText(/^Brokers/);
    await fill(brokers, 'kafka-1:9092,kafka-2');
    fireEvent.blur(brokers);
    expect(
      screen.getByText('kafkaBrokers: each entry must be host:port with a port from 1 to 65535 (got "kafka-2")')
    ).toBeInTheDocument();
    await fill(brokers, ':9092');
    fireEvent.blur(brokers);
    expect(screen.queryByText(/^kafkaBrokers: /)).not.toBeInTheDocument();
    expect(last().jsonData.kafkaBrokers).toBe('kafka-1:9092,kafka-2:9092');
  });

  it('saves the Kafka switches and SASL user in jsonData and the password in secureJsonData only', async () => {
    const { last } = setup(settings({ jsonData: { authType: 'default', kafkaBrokers: 'kafka:9092' } }));
    await user.click(screen.getByLabelText(/^Publish anomalies/));
    await user.click(screen.getByLabelText(/^TLS/));
    expect(screen.queryByLabelText(/^Username/)).not.toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'SCRAM-SHA-512' }));
    await fill(screen.getByLabelText(/^Username/), 'grafana');
    await fill(screen.getByLabelText(/^Password/), 'kafka-secret-example');
    const saved = last();
    expect(saved.jsonData).toMatchObject({
      kafkaPublishAnomalies: true,
      kafkaTls: true,
      kafkaSaslMechanism: 'scram-sha-512',
      kafkaUsername: 'grafana',
    });
    expect(saved.secureJsonData).toEqual({ kafkaPassword: 'kafka-secret-example' });
    expect(JSON.stringify(saved.jsonData)).not.toContain('kafka-secret-example');
  });

  it('opens the Kafka section when brokers are set, and maps the message fields', async () => {
    const { last } = setup(settings({ jsonData: { authType: 'default', kafkaBrokers: 'kafka:9092' } }));
    expect(screen.getByLabelText(/^Brokers/)).toHaveValue('kafka:9092');
    await user.click(screen.getByRole('button', { name: 'Expand section Kafka message fields' }));
    await fill(screen.getByLabelText(/^Sensor id field/), 'deviceId');
    await fill(screen.getByLabelText(/^Timestamp field/), 'ts');
    expect(last().jsonData).toMatchObject({ kafkaSensorIdField: 'deviceId', kafkaTimestampField: 'ts' });
  });
});
