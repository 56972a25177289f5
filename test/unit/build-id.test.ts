// The build id follows the contents of what goes into the worker: every change to a built file, the
// compiler settings, the lock file or the version gives another id; files outside the build do not.
import { strict as assert } from 'assert';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import { sourcesBuildId } from '../../worker/build-id';

describe('sourcesBuildId', () => {
  let root: string;
  const write = (file: string, text: string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'build-id-'));
    write('package.json', JSON.stringify({ version: '1.2.3' }));
    write('tsconfig.build.json', JSON.stringify({ include: ['worker', 'config'] }));
    write('tsconfig.json', '{}');
    write('package-lock.json', '{"lockfileVersion": 3}');
    write('worker/main.ts', 'export const a = 1;\n');
    write('config/sources/v2.json', '{"resources": []}');
    write('test/other.test.ts', 'it("x", () => undefined);\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is the version and 12 hex digits, the same for the same files', () => {
    const id = sourcesBuildId(root);
    assert.match(id, /^1\.2\.3-[0-9a-f]{12}$/);
    assert.equal(sourcesBuildId(root), id);
  });

  it('changes with every change to what is built', () => {
    const seen = new Set([sourcesBuildId(root)]);
    const changes: [string, () => void][] = [
      ['a source edited', () => write('worker/main.ts', 'export const a = 2;\n')],
      ['a runtime configuration edited', () => write('config/sources/v2.json', '{"resources": [1]}')],
      ['a source added', () => write('worker/extra.ts', '')],
      [
        'a source renamed',
        () => renameSync(path.join(root, 'worker/extra.ts'), path.join(root, 'worker/other.ts')),
      ],
      ['a source deleted', () => rmSync(path.join(root, 'worker/main.ts'))],
      ['the lock file', () => write('package-lock.json', '{"lockfileVersion": 3, "x": 1}')],
      ['the compiler settings', () => write('tsconfig.json', '{"compilerOptions": {}}')],
      ['the version', () => write('package.json', JSON.stringify({ version: '1.2.4' }))],
    ];
    for (const [what, change] of changes) {
      change();
      const id = sourcesBuildId(root);
      assert.ok(!seen.has(id), `${what}: a new id (${id})`);
      seen.add(id);
    }
  });

  it('ignores files outside the folders the build includes', () => {
    const id = sourcesBuildId(root);
    write('test/other.test.ts', 'it("y", () => undefined);\n');
    write('README.md', '# changed');
    assert.equal(sourcesBuildId(root), id);
  });
});
