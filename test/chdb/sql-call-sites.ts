// Where the project's own code (not its tests) sends SQL: every call `x.query({ query })`,
// `x.command({ query })`, `x.exec({ query })` or `x.insert({ table })`, by file and line (as a stack
// frame gives them) and the function around it. Read from the sources, so a new statement anywhere
// shows up without anyone listing it.
import { readdirSync, readFileSync } from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
/** The folders of production code (tsconfig's, less test/). */
const SOURCE_DIRS = [
  'activities',
  'api-server',
  'clickhouse',
  'client',
  'config',
  'scripts',
  'domain',
  'worker',
  'workflows',
];
const METHODS: Record<string, string> = { query: 'query', command: 'query', exec: 'query', insert: 'table' };

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}

/** The name a V8 stack frame gives the function around `node`. */
function enclosingName(node: ts.Node): string {
  for (let n: ts.Node | undefined = node.parent; n; n = n.parent) {
    if (ts.isFunctionDeclaration(n) && n.name) return n.name.text;
    if (ts.isMethodDeclaration(n) && ts.isIdentifier(n.name)) {
      const cls = ts.isClassLike(n.parent) && n.parent.name ? `${n.parent.name.text}.` : '';
      return `${cls}${n.name.text}`;
    }
    if ((ts.isArrowFunction(n) || ts.isFunctionExpression(n)) && n.parent) {
      const p = n.parent;
      if ((ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p)) && ts.isIdentifier(p.name))
        return p.name.text;
    }
  }
  return '<top level>';
}

export interface CallSite {
  /** `file.ts:line` of the method name, as the recorder's stack frames give it. */
  site: string;
  /** `file.ts:function`. */
  fn: string;
}

export function sqlCallSites(): CallSite[] {
  const sites: CallSite[] = [];
  for (const file of SOURCE_DIRS.flatMap((d) => tsFiles(path.join(ROOT, d)))) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        node.expression.name.text in METHODS
      ) {
        const [arg] = node.arguments;
        const key = METHODS[node.expression.name.text];
        if (
          arg &&
          ts.isObjectLiteralExpression(arg) &&
          arg.properties.some((p) => p.name && ts.isIdentifier(p.name) && p.name.text === key)
        ) {
          const rel = path.relative(ROOT, file);
          const { line } = source.getLineAndCharacterOfPosition(node.expression.name.getStart(source));
          sites.push({ site: `${rel}:${line + 1}`, fn: `${rel}:${enclosingName(node)}` });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return sites;
}
