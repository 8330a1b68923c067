import path from 'node:path';

import { brokenReferences, findReferences } from './references';

const ROOT = path.resolve(__dirname, '..', '..');

describe('references to files of this repository', () => {
  test('every Markdown link and repository path in a document names a file that exists', () => {
    const broken = brokenReferences(ROOT).map(({ source, line, target }) => `${source}:${line}: ${target}`);
    expect(broken).toEqual([]);
  });
});

describe('the reference finder', () => {
  // Documents named here are made up: built with join() so that this file itself refers to nothing missing.
  const notes = ['docs', 'notes', 'README.md'].join('/');

  test('takes repository paths from any text and relative links from Markdown, resolved from the document', () => {
    const text = [
      'See docs/grafana-plugin-protocol.md §5 and [the ADR](../adr/0001-typescript-backend-as-node-sea.md#context).',
      'Not paths: src/**/*.ts, `src/${dir}/module.ts`, [site](https://grafana.com), [here](#top), node_modules/x/src/y.ts.',
    ].join('\n');
    expect(findReferences(notes, text).map(({ line, resolved }) => [line, resolved])).toEqual([
      [1, 'docs/grafana-plugin-protocol.md'],
      [1, 'docs/adr/0001-typescript-backend-as-node-sea.md'],
    ]);
  });

  test('does not read links in code files, only paths', () => {
    expect(findReferences('lib/a.ts', '// [x](missing.md) and tools/test.sh').map((r) => r.resolved)).toEqual([
      'tools/test.sh',
    ]);
  });
});
