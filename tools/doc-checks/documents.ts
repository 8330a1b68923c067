import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

/** Files under version control (or about to be, and not deleted) whose names match, outside node_modules. */
export function repositoryFiles(root: string, names: RegExp): string[] {
  const listed = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return listed
    .split('\n')
    .filter((file) => names.test(file) && !file.includes('node_modules/') && existsSync(path.join(root, file)))
    .sort();
}

/**
 * The subset of `paths` (repository-relative) that git ignores, as files or as
 * folders (`dir/` patterns): things tools create when they run.
 */
export function ignoredPaths(root: string, paths: readonly string[]): Set<string> {
  if (paths.length === 0) {
    return new Set();
  }
  let out = '';
  try {
    out = execFileSync('git', ['check-ignore', '--no-index', '--stdin'], {
      cwd: root,
      encoding: 'utf8',
      input: paths.flatMap((p) => [p, `${p}/`]).join('\n'),
    });
  } catch (error) {
    // Exit status 1: none of them is ignored.
    out = (error as { stdout?: string }).stdout ?? '';
  }
  return new Set(
    out
      .split('\n')
      .filter(Boolean)
      .map((p) => p.replace(/\/$/, ''))
  );
}
