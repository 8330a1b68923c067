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
});
