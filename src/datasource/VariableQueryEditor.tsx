import type { QueryEditorProps, SelectableValue } from '@grafana/data';
import { InlineField, InlineFieldRow, Input, RadioButtonGroup, Stack, Text } from '@grafana/ui';
import { useEffect, useState } from 'react';

import { testIds } from '../testIds';
import type { DataSource } from './datasource';
import type { AnomalyDataSourceOptions, AnomalyQuery } from './types';
import { useCommitOnBlur } from './useCommitOnBlur';
import { toVariableQuery, type VariableKind, type VariableQuery } from './variables';

type Props = QueryEditorProps<DataSource, AnomalyQuery, AnomalyDataSourceOptions, VariableQuery>;

const KIND_OPTIONS: Array<SelectableValue<VariableKind>> = [
  { label: 'Sensors', value: 'sensors', description: 'The sensor ids the DynamoDB table holds' },
  { label: 'Metrics', value: 'metrics', description: 'The readings a query can plot: temperature, humidity, …' },
];

const LABEL_WIDTH = 14;
/** Values named in the preview before "and N more". */
const PREVIEW_COUNT = 8;

type Preview = { values: string[] } | { error: string };

/**
 * A dashboard variable listing sensors (for `$sensor` in queries) or metrics,
 * optionally narrowed by a pattern. Shows which values match before the
 * variable is saved.
 */
export function VariableQueryEditor({ query: stored, onChange, datasource }: Props) {
  const query = toVariableQuerySafe(stored);
  const filterInput = useCommitOnBlur(query.filter ?? '', (text) => {
    if (text !== (query.filter ?? '')) {
      onChange({ ...query, filter: text === '' ? undefined : text });
    }
  });
  const [preview, setPreview] = useState<Preview>();
  const { kind, filter } = query;

  // The preview follows what is saved (the filter on blur), not each keystroke.
  useEffect(() => {
    let current = true;
    datasource.variableValues({ refId: 'preview', kind, filter }).then(
      (values) => current && setPreview({ values: values.map((v) => String(v.value ?? v.text)) }),
      (e: unknown) => current && setPreview({ error: e instanceof Error ? e.message : String(e) })
    );
    return () => {
      current = false;
    };
  }, [datasource, kind, filter]);

  return (
    <Stack direction="column" gap={0.5} data-testid={testIds.variableEditor.container}>
      <InlineFieldRow>
        <InlineField label="List" labelWidth={LABEL_WIDTH} tooltip="What the variable's values are">
          <RadioButtonGroup
            aria-label="List"
            options={KIND_OPTIONS}
            value={query.kind}
            onChange={(kind) => onChange({ ...query, kind })}
          />
        </InlineField>
      </InlineFieldRow>
      <InlineFieldRow>
        <InlineField
          label="Filter"
          labelWidth={LABEL_WIDTH}
          tooltip="Only values matching this pattern, ignoring case; * matches any characters (e.g. lab2_*). May use other variables."
        >
          <Input aria-label="Filter" width={32} placeholder="all (e.g. lab2_*)" {...filterInput} />
        </InlineField>
      </InlineFieldRow>
      <div data-testid={testIds.variableEditor.preview}>
        <Text color={preview && 'error' in preview ? 'error' : 'secondary'} variant="bodySmall">
          {previewText(preview)}
        </Text>
      </div>
    </Stack>
  );
}

/** A stored query this editor cannot read starts over as a sensors list rather than breaking the page. */
function toVariableQuerySafe(stored: unknown): VariableQuery {
  try {
    return toVariableQuery(stored);
  } catch {
    return { refId: 'variable', kind: 'sensors' };
  }
}

function previewText(preview: Preview | undefined): string {
  if (!preview) {
    return 'Loading values…';
  }
  if ('error' in preview) {
    return `Cannot list values: ${preview.error}`;
  }
  const { values } = preview;
  if (values.length === 0) {
    return 'No value matches.';
  }
  const shown = values.slice(0, PREVIEW_COUNT).join(', ');
  const more = values.length > PREVIEW_COUNT ? ` and ${values.length - PREVIEW_COUNT} more` : '';
  return `${values.length} ${values.length === 1 ? 'value' : 'values'}: ${shown}${more}`;
}
