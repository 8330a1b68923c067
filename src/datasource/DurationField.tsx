import { Input } from '@grafana/ui';
import { useId } from 'react';

import { QueryField, type QueryFieldProps } from './QueryField';
import { useCommitOnBlur } from './useCommitOnBlur';

interface Props extends QueryFieldProps {
  value: string | undefined;
  /** What the backend uses when the field is left empty. */
  placeholder: string;
  width?: number;
  /** The trimmed text, or undefined for "use the default". */
  onCommit: (value: string | undefined) => void;
}

/**
 * A duration such as "5m" or "7d". The text goes into the query as typed; the
 * query model's own validation names the field and its range when it is not a
 * duration or out of range, and the editor then does not run the query.
 */
export function DurationField({ value, placeholder, width = 12, onCommit, ...field }: Props) {
  const id = useId();
  const input = useCommitOnBlur(value ?? '', (text) => {
    const next = text === '' ? undefined : text;
    if (next !== value) {
      onCommit(next);
    }
  });
  return (
    <QueryField {...field} htmlFor={id}>
      <Input id={id} type="text" width={width} placeholder={placeholder} {...input} />
    </QueryField>
  );
}
