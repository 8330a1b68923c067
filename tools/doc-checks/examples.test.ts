import { readFileSync } from 'node:fs';
import path from 'node:path';

import { checkExamples, documentPaths, extractExamples, type DocExample } from './examples';

const ROOT = path.resolve(__dirname, '..', '..');

function repositoryExamples(): DocExample[] {
  return documentPaths(ROOT).flatMap((file) => extractExamples(file, readFileSync(path.join(ROOT, file), 'utf8')));
}

describe('documentation examples', () => {
  test('every ```ts example in a README or doc comment compiles against the code it documents', () => {
    const problems = checkExamples(ROOT, repositoryExamples());
    expect(problems.map(({ where, message }) => `${where}: ${message}`)).toEqual([]);
  }, 120_000);

  test('the public surfaces document themselves with an example that is checked', () => {
    const documented = new Set(repositoryExamples().map((example) => example.source));
    for (const surface of [
      'src/backend/runtime/README.md',
      'src/backend/sources/README.md',
      'src/detectors/index.ts',
    ]) {
      expect({ surface, checked: documented.has(surface) }).toEqual({ surface, checked: true });
    }
  });
});

describe('the example checker', () => {
  test('finds fences in Markdown and in doc comments, keeping their lines', () => {
    const markdown = extractExamples('a/README.md', 'Intro\n\n```ts\nconst a = 1;\n```\n\n```sh\nls\n```\n');
    expect(markdown).toEqual([{ source: 'a/README.md', line: 4, code: 'const a = 1;', tsx: false }]);
    const comment = extractExamples('a/b.ts', '/**\n * Use:\n *\n * ```ts\n * const b = 2;\n * ```\n */\nexport {};\n');
    expect(comment).toEqual([{ source: 'a/b.ts', line: 5, code: 'const b = 2;', tsx: false }]);
  });

  test('reports an example that does not compile, at its line in the document', () => {
    const broken: DocExample = {
      source: 'src/backend/async/README.md',
      line: 10,
      code: "import { mapLimited } from './mapLimited';\n\nconst n: number = mapLimited([1], 1, async (x) => x);",
      tsx: false,
    };
    const problems = checkExamples(ROOT, [broken]);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ where: 'src/backend/async/README.md:12' });
    expect(problems[0]!.message).toMatch(/Promise<number\[\]>.* is not assignable to type 'number'/);
  }, 60_000);
});
