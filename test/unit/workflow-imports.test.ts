// What the workflow bundle holds: workflow code imports the source config's types only, so zod (and
// the schema built with it) never enters Temporal's sandbox. Follows every import that stays in the
// compiled code (not `import type`) from workflows/index.ts.
import { strict as assert } from 'assert';
import { existsSync, readFileSync } from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { PROJECT_ROOT } from '../../config/settings';

/** The modules a file imports (or re-exports) at run time: `import type` and type-only clauses are erased. */
function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022);
  return source.statements.flatMap((s) => {
    if (
      ts.isExportDeclaration(s) &&
      !s.isTypeOnly &&
      s.moduleSpecifier &&
      ts.isStringLiteral(s.moduleSpecifier)
    )
      return [s.moduleSpecifier.text];
    if (!ts.isImportDeclaration(s) || !ts.isStringLiteral(s.moduleSpecifier) || s.importClause?.isTypeOnly)
      return [];
    const named = s.importClause?.namedBindings;
    // `import { type A, type B }` is erased too.
    const allTypes =
      !s.importClause?.name && named && ts.isNamedImports(named) && named.elements.every((e) => e.isTypeOnly);
    return allTypes ? [] : [s.moduleSpecifier.text];
  });
}

/** Every module reachable from `entry`: project files by path, packages by name. */
function reachable(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of runtimeImports(file)) {
      if (!spec.startsWith('.')) {
        packages.add(spec);
        continue;
      }
      const base = path.resolve(path.dirname(file), spec);
      const found = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => existsSync(f));
      if (found) visit(found);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the workflow bundle', () => {
  const { files, packages } = reachable(path.join(PROJECT_ROOT, 'workflows/index.ts'));

  it('holds no zod and not the source config schema (workflows import its types only)', () => {
    assert.ok(![...packages].some((p) => p === 'zod' || p.startsWith('zod/')), [...packages].join(', '));
    const schema = path.join(PROJECT_ROOT, 'domain/source-config-schema.ts');
    assert.ok(!files.has(schema), 'a workflow imports domain/source-config-schema.ts at run time');
  });

  it('reads the paginator through domain/paging.ts (which knows the old keys)', () => {
    assert.ok(files.has(path.join(PROJECT_ROOT, 'domain/paging.ts')));
  });
});
