import { InlineSwitch, Input } from '@grafana/ui';
import { useId } from 'react';

import { QueryField, type QueryFieldProps } from './QueryField';
import { useCommitOnBlur } from './useCommitOnBlur';

export type NumberValue = number | 'auto' | undefined;

/** Grafana's Input counts an addon in its width; the "auto" switch takes about 11 grid units. */
const AUTO_SWITCH_WIDTH = 11;

interface Props extends QueryFieldProps {
  value: NumberValue;
  /** Shown as placeholder: what the backend uses when the field is left empty. */
  defaultValue: number | 'auto';
  /** Offer an "auto" switch beside the number. */
  allowAuto?: boolean;
  width?: number;
  /** A number, 'auto', or undefined for "use the default". */
  onCommit: (value: NumberValue) => void;
  /** Text that does not parse as a number (undefined clears it). */
  onDraft: (path: string, text: string | undefined) => void;
}

/**
 * A numeric query field that commits on blur or Enter, so typing "0." does not
 * run a query, and keeps unparsable text as a draft so the validation message
 * names the field instead of the text silently disappearing.
 */
export function NumberField({ value, defaultValue, allowAuto, width = 12, onCommit, onDraft, ...field }: Props) {
  const { label, path } = field;
  const id = useId();
  const switchId = useId();
  const isAuto = value === 'auto';
  const input = useCommitOnBlur(textOf(value), (text) => {
    if (text === '') {
      onDraft(path, undefined);
      onCommit(undefined);
      return;
    }
    const parsed = Number(text);
    if (Number.isFinite(parsed)) {
      onDraft(path, undefined);
      if (parsed !== value) {
        onCommit(parsed);
      }
      return;
    }
    onDraft(path, text);
  });

  return (
    <QueryField {...field} htmlFor={id}>
      <Input
        id={id}
        type="text"
        inputMode="decimal"
        width={allowAuto ? width + AUTO_SWITCH_WIDTH : width}
        {...input}
        value={isAuto ? '' : input.value}
        disabled={isAuto}
        placeholder={isAuto ? 'auto' : String(defaultValue)}
        addonAfter={
          allowAuto && (
            <InlineSwitch
              id={switchId}
              label="auto"
              showLabel
              aria-label={`${label} auto`}
              value={isAuto}
              onChange={(e) => {
                onDraft(path, undefined);
                onCommit(e.currentTarget.checked ? 'auto' : undefined);
              }}
            />
          )
        }
      />
    </QueryField>
  );
}

function textOf(value: NumberValue): string {
  return typeof value === 'number' ? String(value) : '';
}
