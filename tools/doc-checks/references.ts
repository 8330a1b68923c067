/**
 * References from documents to files of this repository that must exist:
 * relative Markdown links, and repository paths written anywhere in prose,
 * comments or code (`docs/…`, `src/…`, `tools/…`, `tests/…`, `provisioning/…`,
 * `.config/…`). A path git ignores is something a tool creates when it runs
 * and may be absent. Globs and templates (`src/**`, `src/${dir}`) end the
 * match before their wildcard, so they are not taken for paths.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

import { ignoredPaths, repositoryFiles } from './documents';

export interface Reference {
  /** Repository-relative document and 1-based line. */
  source: string;
  line: number;
  /** As written. */
  target: string;
  /** Repository-relative path the target resolves to. */
  resolved: string;
}

const REPOSITORY_PATH = /(?<![\w./@$-])((?:src|tools|tests|docs|provisioning|\.config)\/[\w./-]*[\w-])/g;
const MARKDOWN_LINK = /\]\(([^)\s]+)\)/g;

/** Every reference in one document. */
export function findReferences(source: string, text: string): Reference[] {
  const references: Reference[] = [];
  text.split(/\r?\n/).forEach((content, index) => {
    const line = index + 1;
    for (const [, target] of content.matchAll(REPOSITORY_PATH)) {
      references.push({ source, line, target: target!, resolved: path.posix.normalize(target!) });
    }
    if (!source.endsWith('.md')) {
      return;
    }
    for (const [, link] of content.matchAll(MARKDOWN_LINK)) {
      const target = link!.split('#')[0]!;
      if (target === '' || /^[a-z][a-z+.-]*:/i.test(target)) {
        continue; // an anchor on the same page, or another site
      }
      const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(source), target));
      references.push({ source, line, target: link!, resolved });
    }
  });
  return references;
}

/** The references of the repository's documents whose target does not exist and is not a generated path. */
export function brokenReferences(root: string): Reference[] {
  const documents = repositoryFiles(root, /\.(md|tsx?|mjs|js|go|sh|ya?ml)$/);
  const missing = documents
    .flatMap((source) => findReferences(source, readFileSync(path.join(root, source), 'utf8')))
    .filter((reference) => !existsSync(path.join(root, reference.resolved)));
  const generated = ignoredPaths(root, [...new Set(missing.map((reference) => reference.resolved))]);
  return missing.filter((reference) => !generated.has(reference.resolved));
}
