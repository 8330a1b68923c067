import type { SelectableValue } from '@grafana/data';
import { InlineField, RadioButtonGroup } from '@grafana/ui';
import type { ComponentProps } from 'react';

import type { QueryFieldError } from '../common/query';

/** What every field of the query editor shows around its input. */
export interface QueryFieldProps {
  label: string;
  tooltip?: string;
  labelWidth: number;
  grow?: boolean;
  /** The query's dotted path, matched against validation errors. */
  path: string;
  /** The query's first validation error: shown here when it names this field. */
  error: QueryFieldError | undefined;
}

/** A labelled query field that shows the query model's validation message when it names this field. */
export function QueryField({
  path,
  error,
  children,
  ...field
}: QueryFieldProps & Pick<ComponentProps<typeof InlineField>, 'htmlFor' | 'children'>) {
  const invalid = error?.field === path;
  return (
    <InlineField {...field} invalid={invalid} error={invalid ? error?.message : undefined}>
      {children}
    </InlineField>
  );
}

interface RadioFieldProps<T> extends QueryFieldProps {
  options: Array<SelectableValue<T>>;
  value: T;
  onChange: (value: T) => void;
}

/** A choice between a few values, as radio buttons named by the field's label. */
export function RadioField<T>({ options, value, onChange, ...field }: RadioFieldProps<T>) {
  return (
    <QueryField {...field}>
      <RadioButtonGroup aria-label={field.label} options={options} value={value} onChange={onChange} />
    </QueryField>
  );
}
