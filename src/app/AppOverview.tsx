import { Stack, Text, TextLink } from '@grafana/ui';

const DATASOURCE_ID = 'iotlab-anomaly-datasource';
const DOCS = 'https://github.com/iotlab/anomaly-plugin/blob/main/docs';

/**
 * The app's page and its configuration page. The app itself has no settings: it
 * only bundles the data source and the panel, so this explains how to use them.
 */
export function AppOverview() {
  return (
    <Stack direction="column" gap={2}>
      <Text element="h2">IoT Lab Anomaly Detection</Text>
      <Text element="p">
        This app bundles a data source and a panel for anomaly detection on lab-sensor readings (temperature, humidity,
        pressure, light level).
      </Text>
      <Stack direction="column" gap={1}>
        <Text element="h3">IoT Lab Anomaly data source</Text>
        <Text element="p">
          Reads the dashboard’s time range from Amazon DynamoDB and flags anomalies with an Isolation Forest (trained on
          each sensor’s CSV history in S3, or on the readings before the range) or DBSCAN. Queries return every reading
          with its anomaly score, flag and the feature that explains it, or an anomaly count per sensor for alert rules.
          AWS credentials stay in Grafana’s encrypted settings and are used only by the plugin’s backend.
        </Text>
        <TextLink href={`/connections/datasources/new?type=${DATASOURCE_ID}`} inline={false}>
          Add an IoT Lab Anomaly data source
        </TextLink>
        <TextLink href={`${DOCS}/configure.md`} external inline={false}>
          How to configure it
        </TextLink>
      </Stack>
      <Stack direction="column" gap={1}>
        <Text element="h3">Anomaly overlay panel</Text>
        <Text element="p">
          Draws the readings and marks every anomalous one; hover a marker for its sensor, value, score and explanation.
          Pick it as the visualization of a panel that runs an “Anomalies” query.
        </Text>
      </Stack>
      <Stack direction="column" gap={1}>
        <Text element="h3">Alerts and annotations</Text>
        <Text element="p">
          Create an alert rule with an “Anomaly count” query and reduce it with Sum: one alert instance per sensor. Set
          the threshold above what the contamination flags on normal data: with contamination 0.01 and a reading every
          10 s, “above 0” over 10 minutes fires in almost every other window.
        </Text>
        <TextLink href={`${DOCS}/alerting.md`} external inline={false}>
          Alerting, step by step
        </TextLink>
        <TextLink href={`${DOCS}/annotations.md`} external inline={false}>
          Anomalies as annotations
        </TextLink>
        <TextLink href={`${DOCS}/troubleshooting.md`} external inline={false}>
          Troubleshooting
        </TextLink>
      </Stack>
    </Stack>
  );
}
