import type { SelectableValue } from '@grafana/data';
import { Checkbox, FieldValidationMessage, InlineFieldRow, InlineLabel, Stack, Text } from '@grafana/ui';

import {
  FEATURE_SET_DESCRIPTIONS,
  FEATURE_SETS,
  FEATURE_TRANSFORMS,
  featureColumnCount,
  transformsOf,
  type FeatureSet,
  type FeatureTransform,
} from '../common/features';
import { DEFAULT_QUERY, type Metric, type QueryFieldError } from '../common/query';
import { testIds } from '../testIds';
import { RadioField } from './QueryField';

const FEATURE_SET_LABELS: Record<FeatureSet, string> = {
  default: 'Default',
  raw: 'Raw readings',
  custom: 'Custom',
};

const FEATURE_SET_OPTIONS: Array<SelectableValue<FeatureSet>> = FEATURE_SETS.map((set) => ({
  label: FEATURE_SET_LABELS[set],
  value: set,
  description: FEATURE_SET_DESCRIPTIONS[set],
}));

interface Props {
  featureSet: FeatureSet | undefined;
  transforms: FeatureTransform[] | undefined;
  /** The readings the model sees, for the column count (variables not yet expanded count as one each). */
  metrics: readonly Metric[];
  error: QueryFieldError | undefined;
  labelWidth: number;
  onChange: (patch: { featureSet: FeatureSet; transforms: FeatureTransform[] | undefined }) => void;
}

/**
 * Which features the model computes from the readings: each set explained in
 * the catalog's own words, and for "custom" the transforms to pick, each with
 * what it catches.
 */
export function FeatureSetField({ featureSet, transforms, metrics, error, labelWidth, onChange }: Props) {
  const set = featureSet ?? DEFAULT_QUERY.featureSet;
  const chosen = set === 'custom' ? (transforms ?? []) : transformsOf(set);
  const invalid = (field: string) => error?.field === field;

  const chooseSet = (next: FeatureSet) =>
    // A custom set starts from what was in use, so switching to it changes nothing until a box is ticked.
    onChange({ featureSet: next, transforms: next === 'custom' ? transformsOf(set, chosen) : undefined });
  const toggle = (id: FeatureTransform, on: boolean) => {
    const next = on ? [...chosen, id] : chosen.filter((t) => t !== id);
    // Catalog order, as the backend keys models by it.
    onChange({ featureSet: 'custom', transforms: transformsOf('custom', next) });
  };
  const columns = featureColumnCount(metrics.length, chosen);

  return (
    <Stack direction="column" gap={0.5}>
      <InlineFieldRow>
        <RadioField
          label="Feature set"
          labelWidth={labelWidth}
          tooltip="What the model computes from the readings it sees. Time itself is never a feature; time of day can be."
          path="featureSet"
          error={error}
          options={FEATURE_SET_OPTIONS}
          value={set}
          onChange={chooseSet}
        />
      </InlineFieldRow>
      <div data-testid={testIds.queryEditor.featureSetDescription}>
        <Text color="secondary" variant="bodySmall">
          {FEATURE_SET_DESCRIPTIONS[set]} The model sees {columns} {columns === 1 ? 'column' : 'columns'}.
        </Text>
      </div>
      {set === 'custom' && (
        <Stack direction="row" gap={0}>
          <InlineLabel width={labelWidth} tooltip="Applied to every reading the model sees; time of day is added once.">
            Transforms
          </InlineLabel>
          <Stack direction="column" gap={1} data-testid={testIds.queryEditor.transforms}>
            {FEATURE_TRANSFORMS.map((spec) => (
              <Checkbox
                key={spec.id}
                aria-label={spec.label}
                label={spec.label}
                description={spec.description}
                value={chosen.includes(spec.id)}
                invalid={invalid('transforms')}
                onChange={(event) => toggle(spec.id, event.currentTarget.checked)}
              />
            ))}
            {invalid('transforms') && <FieldValidationMessage>{error?.message}</FieldValidationMessage>}
          </Stack>
        </Stack>
      )}
    </Stack>
  );
}
