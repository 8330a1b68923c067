import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { QueryEditor } from './QueryEditor';
import { makeDataSource } from './testUtils';
import type { AnomalyQuery } from './types';

// No delay between keystrokes: typing stays fast on a busy machine.
const user = userEvent.setup({ delay: null });

function setup(query: AnomalyQuery, variables: Record<string, string | string[]> = {}) {
  const datasource = makeDataSource(variables);
  jest.spyOn(datasource, 'getResource').mockResolvedValue(['sensmitter_1', 'sensmitter_2']);
  const onChange = jest.fn();
  const onRunQuery = jest.fn();
  const view = render(
    <QueryEditor datasource={datasource} query={query} onChange={onChange} onRunQuery={onRunQuery} />
  );
  const rerender = (next: AnomalyQuery) =>
    view.rerender(<QueryEditor datasource={datasource} query={next} onChange={onChange} onRunQuery={onRunQuery} />);
  return { onChange, onRunQuery, rerender, datasource };
}

const base: AnomalyQuery = { refId: 'A', queryType: 'anomalies', metric: 'temperature', model: 'isolation_forest' };

describe('QueryEditor', () => {
  it('switches the query type and runs the query', async () => {
    const { onChange, onRunQuery } = setup(base);
    await user.click(screen.getByRole('radio', { name: 'Anomaly count' }));
    expect(onChange).toHaveBeenLastCalledWith({ ...base, queryType: 'anomaly_count' });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('switches to DBSCAN and shows its parameters instead of the forest’s', async () => {
    const { onChange, rerender } = setup(base);
    expect(screen.getByLabelText('Trees')).toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'DBSCAN' }));
    expect(onChange).toHaveBeenLastCalledWith({ ...base, model: 'dbscan' });
    rerender({ ...base, model: 'dbscan' });
    expect(screen.queryByLabelText('Trees')).not.toBeInTheDocument();
    expect(screen.getByLabelText('Epsilon')).toBeInTheDocument();
    expect(screen.getByLabelText('Min samples')).toBeInTheDocument();
  });

  it('commits a contamination number on blur', async () => {
    const { onChange, onRunQuery } = setup(base);
    const input = screen.getByLabelText('Contamination');
    await user.type(input, '0.05');
    expect(onChange).not.toHaveBeenCalled();
    await user.tab();
    expect(onChange).toHaveBeenLastCalledWith({ ...base, contamination: 0.05 });
    expect(onRunQuery).toHaveBeenCalledTimes(1);
  });

  it('names the field and range of an out-of-range contamination and does not run the query', async () => {
    const { onChange, onRunQuery, rerender } = setup(base);
    await user.type(screen.getByLabelText('Contamination'), '0.7{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ ...base, contamination: 0.7 });
    expect(onRunQuery).not.toHaveBeenCalled();
    rerender({ ...base, contamination: 0.7 });
    expect(screen.getByText('contamination: must be a number in (0, 0.5] or "auto" (got 0.7)')).toBeInTheDocument();
  });

  it('keeps text that is not a number out of the query and shows the validation message', async () => {
    const { onChange, onRunQuery } = setup(base);
    await user.type(screen.getByLabelText('Trees'), 'many{Enter}');
    expect(onChange).not.toHaveBeenCalled();
    expect(onRunQuery).not.toHaveBeenCalled();
    expect(
      screen.getByText('isolationForest.nEstimators: must be an integer from 1 to 1000 (got "many")')
    ).toBeInTheDocument();
  });

  it('offers "auto" contamination for the Isolation Forest only', async () => {
    const { onChange, rerender } = setup(base);
    await user.click(screen.getByLabelText('Contamination auto'));
    expect(onChange).toHaveBeenLastCalledWith({ ...base, contamination: 'auto' });
    rerender({ ...base, model: 'dbscan', contamination: 'auto' });
    expect(screen.queryByLabelText('Contamination auto')).not.toBeInTheDocument();
    expect(screen.getByText('contamination: must be a number in (0, 0.5] (got "auto")')).toBeInTheDocument();
  });

  it('writes forest parameters under isolationForest', async () => {
    const { onChange, rerender } = setup(base);
    await user.type(screen.getByLabelText('Max samples'), '0.5{Enter}');
    expect(onChange).toHaveBeenLastCalledWith({ ...base, isolationForest: { maxSamples: 0.5 } });
    rerender({ ...base, isolationForest: { maxSamples: 0.5 } });
    await user.click(screen.getByRole('radio', { name: 'Window before range' }));
    expect(onChange).toHaveBeenLastCalledWith({ ...base, isolationForest: { maxSamples: 0.5, training: 'window' } });
  });

  it('shows a DBSCAN epsilon error under its field', () => {
    setup({ ...base, model: 'dbscan', dbscan: { eps: -1 } });
    expect(screen.getByText('dbscan.eps: must be a number in (0, 1000] or "auto" (got -1)')).toBeInTheDocument();
  });

  it('reports a hidden model’s invalid parameter in a banner', () => {
    setup({ ...base, dbscan: { minSamples: 0 } });
    expect(screen.getByText('Invalid query')).toBeInTheDocument();
    expect(screen.getByText('dbscan.minSamples: must be an integer from 1 to 10000 (got 0)')).toBeInTheDocument();
  });

  it('validates the query with template variables expanded', () => {
    setup({ ...base, metric: '$metric' as AnomalyQuery['metric'] }, { metric: 'rainfall' });
    expect(screen.getByText(/^metric: must be one of "temperature", .* \(got "rainfall"\)$/)).toBeInTheDocument();
  });

  it('shows the selected sensor as a pill', () => {
    setup({ ...base, sensors: ['sensmitter_1'] });
    expect(screen.getByText('sensmitter_1')).toBeInTheDocument();
  });
});
