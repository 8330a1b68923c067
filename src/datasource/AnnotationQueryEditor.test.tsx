import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';

import { testIds } from '../testIds';
import { AnnotationQueryEditor } from './AnnotationQueryEditor';
import { makeDataSource } from './testUtils';
import type { AnomalyQuery } from './types';

const user = userEvent.setup({ delay: null });

describe('AnnotationQueryEditor', () => {
  it('edits the annotation’s query with the query editor’s own fields, minus what annotations cannot use', async () => {
    const onChange = jest.fn();
    const query: AnomalyQuery = { refId: 'Anno', queryType: 'anomalies', sensors: ['$sensor'] };
    render(
      <AnnotationQueryEditor datasource={makeDataSource()} query={query} onChange={onChange} onRunQuery={jest.fn()} />
    );
    expect(screen.getByTestId(testIds.annotationEditor.container)).toHaveTextContent(
      'Every reading the model flags becomes an annotation'
    );
    expect(screen.queryByLabelText('Live')).not.toBeInTheDocument();
    expect(screen.queryByRole('radio', { name: 'Anomaly count' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('radio', { name: 'DBSCAN' }));
    expect(onChange).toHaveBeenLastCalledWith({ ...query, model: 'dbscan' });
  });

  it('does not hold against an annotation what it never runs: a live switch or query type saved from a panel', () => {
    const fromPanel = { refId: 'Anno', queryType: 'raw', live: 'yes', countInterval: 5 } as unknown as AnomalyQuery;
    render(
      <AnnotationQueryEditor
        datasource={makeDataSource()}
        query={fromPanel}
        onChange={jest.fn()}
        onRunQuery={jest.fn()}
      />
    );
    expect(screen.getByTestId(testIds.queryEditor.container)).toBeInTheDocument();
    expect(screen.queryByTestId(testIds.queryEditor.errorBanner)).not.toBeInTheDocument();
  });

  it('still names an invalid field the annotation uses', () => {
    const query = { refId: 'Anno', contamination: '0.01' } as unknown as AnomalyQuery;
    render(
      <AnnotationQueryEditor datasource={makeDataSource()} query={query} onChange={jest.fn()} onRunQuery={jest.fn()} />
    );
    expect(screen.getByText('contamination: must be a number in (0, 0.5] or "auto" (got "0.01")')).toBeInTheDocument();
  });
});
