import { InlineSwitch, Input } from '@grafana/ui';
import { useId } from 'react';

import { QueryField, type QueryFieldProps } from './QueryField';
import { useCommitOnBlur } from './useCommitOnBlur';

export type NumberValue = number | 'auto' | undefined;

/** Grafana's Input counts an addon in its width; the "auto" switch takes about 11 grid units. */
const AUTO_SWITCH_WIDTH = 11;

interface Props extends QueryFieldProps {
  /** As stored: a NumberValue, unless the query was hand-edited (`"0.01"`, `true`), which the box then shows. */
  value: unknown;
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
  // A stored "auto" where the field offers none is text to correct, not a switch that is on.
  const isAuto = allowAuto === true && value === 'auto';
  const input = useCommitOnBlur(isAuto ? '' : textOf(value), (text) => {
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

/**
 * The stored value as the box shows it. A value of the wrong type (a string
 * "0.01", true, a list) is shown as stored, not replaced by the default's
 * placeholder: the inline error names it, and the user sees what to correct.
 */
function textOf(value: unknown): string {
  if (value === undefined || value === null) {
    return '';
  }
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}
