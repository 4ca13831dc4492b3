/**
 * Below the front doors (the CLI and the actions) no text names a flag or a command of ours: a
 * message names an option by its key (`option('force')` in src/core/user-text.ts) and each front door
 * spells it. This reads every string and template literal of src/ and runtime/ below them with the
 * TypeScript parser and fails on a `--flag` or a `bentoci <command>` in one.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** The front doors: they own the words for options and commands. */
const FRONT_DOORS = [/^src\/cli\//, /^src\/cli\.ts$/, /^src\/actions\//, /^runtime\/config\.ts$/];

/**
 * Literals that are arguments to a program, not text for a user, by file. Each entry is the
 * literal's exact text.
 */
const ARGUMENTS: Readonly<Record<string, readonly string[]>> = {
  // The Dockerfile's npm command line.
  'src/containerize/templates/base.ts': ['*'],
  // Docker's flag for handing a container the GPUs, in the runtime's CUDA start-up error.
  'runtime/provider.ts': ['docker run --gpus all'],
  // git's flag, in how to get SOURCE_DATE_EPOCH from the last commit.
  'src/build/reproducible.ts': ['git log -1 --format=%ct'],
};

const FLAG = /(^|[\s(`'"=[,])--[a-z][a-z0-9-]*/;
const COMMAND =
  /\bbentoci (models|sign|verify|build|delete|push|pull|keygen|containerize|serve|export|import|list|get|canary|manifests|attest|push-image|judge-server)\b/;

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Each string or template literal with its line; an argv element (a literal that is just a flag, in an array) is skipped. */
function literals(file: string, text: string): Array<{ line: number; text: string }> {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found: Array<{ line: number; text: string }> = [];
  const visit = (node: ts.Node): void => {
    let value: string | undefined;
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) value = node.text;
    else if (ts.isTemplateExpression(node))
      value = [node.head.text, ...node.templateSpans.map((s) => `\${} ${s.literal.text}`)].join('');
    if (value !== undefined) {
      const argv = ts.isArrayLiteralExpression(node.parent) && /^--[a-z][a-z0-9-]*$/.test(value);
      if (!argv) {
        const { line } = source.getLineAndCharacterOfPosition(node.getStart());
        found.push({ line: line + 1, text: value });
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('no flag or command names below the front doors', () => {
  it('finds none in src/ and runtime/ outside the CLI and the actions', async () => {
    const files = [...(await sources('src')), ...(await sources('runtime'))]
      .map((f) => relative('.', f).split('\\').join('/'))
      .filter((f) => !FRONT_DOORS.some((door) => door.test(f)));
    expect(files.length).toBeGreaterThan(100);
    const offending: string[] = [];
    for (const file of files) {
      const allowed = ARGUMENTS[file] ?? [];
      if (allowed.includes('*')) continue;
      for (const literal of literals(file, await readFile(file, 'utf8'))) {
        if (allowed.includes(literal.text)) continue;
        if (FLAG.test(literal.text) || COMMAND.test(literal.text))
          offending.push(`${file}:${literal.line}: ${literal.text.slice(0, 120)}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('catches a flag in a message and a command in a hint, and lets an argv element be', () => {
    const found = literals(
      'x.ts',
      [
        'throw new Error(`invalid --to ${x}`);',
        "const hint = 'sign it with bentoci sign';",
        "const argv = ['--port', String(port)];",
      ].join('\n'),
    );
    expect(found.map((l) => l.line)).toEqual([1, 2]);
    expect(FLAG.test(found[0]!.text)).toBe(true);
    expect(COMMAND.test(found[1]!.text)).toBe(true);
  });
});
