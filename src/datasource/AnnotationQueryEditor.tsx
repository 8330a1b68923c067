import type { AnnotationQuery, QueryEditorProps } from '@grafana/data';
import { Stack, Text } from '@grafana/ui';

import { testIds } from '../testIds';
import type { DataSource } from './datasource';
import { QueryEditor } from './QueryEditor';
import type { AnomalyDataSourceOptions, AnomalyQuery } from './types';

type Props = QueryEditorProps<DataSource, AnomalyQuery, AnomalyDataSourceOptions> & {
  annotation?: AnnotationQuery<AnomalyQuery>;
  onAnnotationChange?: (annotation: AnnotationQuery<AnomalyQuery>) => void;
};

/**
 * The query of an "anomalies as annotations" entry in a dashboard's settings:
 * the query editor's form without what does not apply to annotations (an
 * annotation query always returns anomalies and never streams).
 */
export function AnnotationQueryEditor(props: Props) {
  return (
    <Stack direction="column" gap={1} data-testid={testIds.annotationEditor.container}>
      <Text color="secondary" variant="bodySmall">
        Every reading the model flags becomes an annotation on the dashboard’s time series, titled with its sensor, with
        its value, score and the feature that explains it, and tagged “anomaly” and the sensor id.
      </Text>
      <QueryEditor {...props} mode="annotation" />
    </Stack>
  );
}
