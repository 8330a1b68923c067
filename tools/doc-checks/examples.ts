/**
 * Code examples in documentation that must compile: every fence tagged ts,
 * tsx or typescript in a Markdown file and in a doc comment of a TypeScript
 * file. Each example is type-checked as its own module, as if it
 * were a file next to the document, with the project's tsconfig (minus the
 * unused-name checks: an example may show a call without using its result).
 * A sketch that is not meant to compile belongs in a ```text fence.
 */
import path from 'node:path';
import ts from 'typescript';

import { repositoryFiles } from './documents';

export interface DocExample {
  /** Repository-relative path of the document. */
  source: string;
  /** 1-based line of the example's first code line in the document. */
  line: number;
  code: string;
  tsx: boolean;
}

export interface ExampleProblem {
  /** `path:line` in the document. */
  where: string;
  message: string;
}

const FENCE_OPEN = /^(\s*)(`{3,})\s*(ts|tsx|typescript)(?:\s|$)/;
const DOC_COMMENT_LINE = /^\s*\*(?: |$)(.*)$/;

/** Fenced examples among `lines`; `null` marks a line that cannot be part of one. */
function fencedExamples(source: string, lines: ReadonlyArray<string | null>): DocExample[] {
  const examples: DocExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = lines[i]?.match(FENCE_OPEN);
    if (!open) {
      continue;
    }
    const [, indent = '', ticks = '```', lang] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length && lines[j] !== null && !lines[j]!.trimStart().startsWith(ticks); j++) {
      body.push(lines[j]!.startsWith(indent) ? lines[j]!.slice(indent.length) : lines[j]!);
    }
    examples.push({ source, line: i + 2, code: body.join('\n'), tsx: lang === 'tsx' });
    i = j;
  }
  return examples;
}

/** The examples of one document (Markdown, or doc comments of a .ts/.tsx file). */
export function extractExamples(source: string, text: string): DocExample[] {
  const lines = text.split(/\r?\n/);
  if (source.endsWith('.md')) {
    return fencedExamples(source, lines);
  }
  return fencedExamples(
    source,
    lines.map((line) => line.match(DOC_COMMENT_LINE)?.[1] ?? null)
  );
}

/** Documents that may hold examples: Markdown and TypeScript files of the repository. */
export function documentPaths(root: string): string[] {
  return repositoryFiles(root, /\.(md|tsx?)$/);
}

function compilerOptions(root: string): ts.CompilerOptions {
  const configPath = path.join(root, 'tsconfig.json');
  const { config, error } = ts.readConfigFile(configPath, ts.sys.readFile);
  if (error) {
    throw new Error(ts.flattenDiagnosticMessageText(error.messageText, '\n'));
  }
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, root);
  return { ...parsed.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false };
}

/** Type-checks every example in one program; a problem per diagnostic, located in its document. */
export function checkExamples(root: string, examples: readonly DocExample[]): ExampleProblem[] {
  const virtual = new Map<string, { example: DocExample; text: string }>();
  for (const example of examples) {
    const file = path.join(
      root,
      path.dirname(example.source),
      `__doc_example_${example.line}.${example.tsx ? 'tsx' : 'ts'}`
    );
    // `export {}` makes each example a module, so examples never share a scope.
    virtual.set(file.split(path.sep).join('/'), { example, text: `${example.code}\nexport {};\n` });
  }
  const options = compilerOptions(root);
  const host = ts.createCompilerHost(options, true);
  const readSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, language, onError, shouldCreate) => {
    const entry = virtual.get(fileName);
    return entry
      ? ts.createSourceFile(fileName, entry.text, language, true)
      : readSourceFile(fileName, language, onError, shouldCreate);
  };
  host.fileExists = (fileName) => virtual.has(fileName) || ts.sys.fileExists(fileName);
  host.readFile = (fileName) => virtual.get(fileName)?.text ?? ts.sys.readFile(fileName);
  const program = ts.createProgram([...virtual.keys()], options, host);

  const problems: ExampleProblem[] = [];
  for (const [fileName, { example }] of virtual) {
    const sourceFile = program.getSourceFile(fileName)!;
    for (const diagnostic of ts.getPreEmitDiagnostics(program, sourceFile)) {
      const at =
        diagnostic.file && diagnostic.start !== undefined
          ? diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line
          : 0;
      problems.push({
        where: `${example.source}:${example.line + at}`,
        message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '),
      });
    }
  }
  return problems;
}
