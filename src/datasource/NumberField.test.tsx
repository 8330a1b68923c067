import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { QueryFieldError } from '../common/query';
import { NumberField } from './NumberField';

const user = userEvent.setup({ delay: null });

/** The contamination field as the query editor shows it, with the validation error for `value`, if any. */
function setup(value: unknown, { allowAuto = true, invalid = false } = {}) {
  const onCommit = jest.fn();
  const onDraft = jest.fn();
  const error = invalid ? new QueryFieldError('contamination', 'a number in (0, 0.5]', value) : undefined;
  render(
    <NumberField
      label="Contamination"
      path="contamination"
      labelWidth={18}
      error={error}
      value={value}
      defaultValue={0.01}
      allowAuto={allowAuto}
      onCommit={onCommit}
      onDraft={onDraft}
    />
  );
  return { box: screen.getByLabelText('Contamination'), onCommit, onDraft, error };
}

describe('NumberField', () => {
  it('shows a stored number', () => {
    expect(setup(0.05).box).toHaveValue('0.05');
  });

  it('shows the default as placeholder when nothing (or null) is stored', () => {
    const { box } = setup(null);
    expect(box).toHaveValue('');
    expect(box).toHaveAttribute('placeholder', '0.01');
  });

  it('shows a number stored as text as it was stored, beside the error that names it', () => {
    const { box, error } = setup('0.01', { invalid: true });
    expect(box).toHaveValue('0.01');
    expect(screen.getByText(error!.message)).toBeInTheDocument();
  });

  it('turns a number stored as text into the number when the box is left as it is', async () => {
    const { box, onCommit } = setup('0.01', { invalid: true });
    await user.click(box);
    await user.tab();
    expect(onCommit).toHaveBeenCalledWith(0.01);
  });

  it('shows a stored value that is neither number nor text as its JSON', () => {
    expect(setup([0.01], { invalid: true }).box).toHaveValue('[0.01]');
  });

  it('shows a stored "auto" as text to correct where the field offers no auto switch', () => {
    const { box } = setup('auto', { allowAuto: false, invalid: true });
    expect(box).toHaveValue('auto');
    expect(box).toBeEnabled();
  });

  it('shows "auto" as the switch, with an empty box, where the field offers it', () => {
    const { box } = setup('auto');
    expect(box).toHaveValue('');
    expect(box).toHaveAttribute('placeholder', 'auto');
    expect(screen.getByLabelText('Contamination auto')).toBeChecked();
  });
});
