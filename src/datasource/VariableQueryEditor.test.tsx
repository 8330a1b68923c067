import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { testIds } from '../testIds';
import { makeDataSource } from './testUtils';
import { VariableQueryEditor } from './VariableQueryEditor';
import type { VariableQuery } from './variables';

const user = userEvent.setup({ delay: null });

function setup(query: unknown, sensors: unknown = ['lab1_a', 'lab2_b', 'lab2_c']) {
  const datasource = makeDataSource();
  jest.spyOn(datasource, 'getResource').mockImplementation(async () => {
    if (sensors instanceof Error) {
      throw sensors;
    }
    return sensors;
  });
  const onChange = jest.fn();
  const editor = (q: unknown) => (
    <VariableQueryEditor
      datasource={datasource}
      query={q as VariableQuery}
      onChange={onChange}
      onRunQuery={jest.fn()}
    />
  );
  const view = render(editor(query));
  return { onChange, rerender: (q: unknown) => view.rerender(editor(q)) };
}

const preview = () => screen.getByTestId(testIds.variableEditor.preview);

describe('VariableQueryEditor', () => {
  it('lists sensors by default and previews them', async () => {
    setup({ refId: 'v', kind: 'sensors' });
    expect(screen.getByRole('radio', { name: 'Sensors' })).toBeChecked();
    expect(await screen.findByText('3 values: lab1_a, lab2_b, lab2_c')).toBeInTheDocument();
  });

  it('reads a query saved as the plain text "sensors" by older dashboards', async () => {
    setup('sensors');
    expect(screen.getByRole('radio', { name: 'Sensors' })).toBeChecked();
    expect(await screen.findByText(/^3 values/)).toBeInTheDocument();
  });

  it('switches to metrics', async () => {
    const { onChange } = setup({ refId: 'v', kind: 'sensors' });
    await user.click(screen.getByRole('radio', { name: 'Metrics' }));
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'v', kind: 'metrics' });
  });

  it('saves the filter on blur and previews only what it matches', async () => {
    const { onChange, rerender } = setup({ refId: 'v', kind: 'sensors' });
    await user.type(screen.getByLabelText('Filter'), 'LAB2_*');
    expect(onChange).not.toHaveBeenCalled();
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ refId: 'v', kind: 'sensors', filter: 'LAB2_*' });
    rerender({ refId: 'v', kind: 'sensors', filter: 'LAB2_*' });
    expect(await screen.findByText('2 values: lab2_b, lab2_c')).toBeInTheDocument();
  });

  it('says when nothing matches', async () => {
    setup({ refId: 'v', kind: 'metrics', filter: 'wind*' });
    expect(await screen.findByText('No value matches.')).toBeInTheDocument();
  });

  it('shows why the sensors cannot be listed', async () => {
    setup({ refId: 'v', kind: 'sensors' }, new Error('DynamoDB table lab_sensmitter not found'));
    expect(await screen.findByText('Cannot list values: DynamoDB table lab_sensmitter not found')).toBeInTheDocument();
  });

  it('names only the first values of a long list', async () => {
    const many = Array.from({ length: 12 }, (_, i) => `s${String(i).padStart(2, '0')}`);
    setup({ refId: 'v', kind: 'sensors' }, many);
    await screen.findByText(/^12 values/);
    expect(preview()).toHaveTextContent('12 values: s00, s01, s02, s03, s04, s05, s06, s07 and 4 more');
  });
});
