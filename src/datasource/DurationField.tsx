import { InlineField, Input } from '@grafana/ui';
import { useId } from 'react';

import type { QueryFieldError } from '../common/query';
import { useCommitOnBlur } from './useCommitOnBlur';

interface Props {
  label: string;
  tooltip: string;
  /** The query's dotted path, matched against validation errors. */
  path: string;
  value: string | undefined;
  /** What the backend uses when the field is left empty. */
  placeholder: string;
  error: QueryFieldError | undefined;
  labelWidth: number;
  width?: number;
  /** The trimmed text, or undefined for "use the default". */
  onCommit: (value: string | undefined) => void;
}

/**
 * A duration such as "5m" or "7d". The text goes into the query as typed; the
 * query model's own validation names the field and its range when it is not a
 * duration or out of range, and the editor then does not run the query.
 */
export function DurationField({
  label,
  tooltip,
  path,
  value,
  placeholder,
  error,
  labelWidth,
  width = 12,
  onCommit,
}: Props) {
  const id = useId();
  const input = useCommitOnBlur(value ?? '', (text) => {
    const next = text === '' ? undefined : text;
    if (next !== value) {
      onCommit(next);
    }
  });
  const invalid = error?.field === path;
  return (
    <InlineField
      label={label}
      labelWidth={labelWidth}
      tooltip={tooltip}
      htmlFor={id}
      invalid={invalid}
      error={invalid ? error?.message : undefined}
    >
      <Input id={id} type="text" width={width} placeholder={placeholder} {...input} />
    </InlineField>
  );
}
