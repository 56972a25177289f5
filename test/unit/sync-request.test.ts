// Command-line choices to a workflow input: mistakes must be usage errors before anything starts.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { buildSyncInput, parseSyncArgs, UsageError } from '../../client/sync-request';
import { PROJECT_ROOT, resolveVariables } from '../../config/settings';
import { validateSourceConfig } from '../../config/validate-source-config';

const raw: unknown = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json'), 'utf8'),
);
const config = validateSourceConfig(raw, resolveVariables({}, new Date('2025-06-15T00:00:00Z')));

/** Asserts `fn` throws a UsageError whose message matches `pattern`. */
function assertUsage(fn: () => unknown, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof UsageError, `expected a UsageError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('parseSyncArgs', () => {
  it('defaults to an incremental sync of everything, waiting for it', () => {
    assert.deepEqual(parseSyncArgs([]), { mode: 'incremental', wait: true });
  });

  it('reads --resources a,b', () => {
    assert.deepEqual(parseSyncArgs(['--resources', 'projects,entries']).resources, ['projects', 'entries']);
  });

  it('reads --resources=a and trims spaces and empty items', () => {
    assert.deepEqual(parseSyncArgs(['--resources=projects']).resources, ['projects']);
    assert.deepEqual(parseSyncArgs(['--resources= projects , ,entries,']).resources, ['projects', 'entries']);
  });

  it('reads --full-refresh and --no-wait together with --resources', () => {
    assert.deepEqual(parseSyncArgs(['--full-refresh', '--resources', 'absences', '--no-wait']), {
      mode: 'full_refresh',
      wait: false,
      resources: ['absences'],
    });
  });

  it('rejects an unknown flag, naming it', () => {
    assertUsage(() => parseSyncArgs(['--ful-refresh']), /unknown argument "--ful-refresh"/);
    assertUsage(() => parseSyncArgs(['projects']), /unknown argument "projects"/);
    // A value on a flag that takes none is not silently accepted.
    assertUsage(() => parseSyncArgs(['--full-refresh=yes']), /unknown argument "--full-refresh=yes"/);
  });

  it('rejects --resources without a list', () => {
    assertUsage(() => parseSyncArgs(['--resources']), /--resources needs a comma-separated list/);
    assertUsage(() => parseSyncArgs(['--resources=']), /--resources needs a comma-separated list/);
  });
});

describe('buildSyncInput', () => {
  it('takes every resource, in configuration order, when none are named', () => {
    const input = buildSyncInput(config, parseSyncArgs([]), 'q');
    assert.deepEqual(input.resources, ['projects', 'absences', 'customers', 'entries']);
    assert.equal(input.mode, 'incremental');
    assert.equal(input.config, config);
  });

  it('keeps configuration order and drops duplicates', () => {
    const input = buildSyncInput(
      config,
      parseSyncArgs(['--resources', 'entries,projects,entries', '--full-refresh']),
      'queue-a',
    );
    assert.deepEqual(input.resources, ['projects', 'entries']);
    assert.equal(input.mode, 'full_refresh');
    // The scope (the destination's task queue) names the resource lock.
    assert.equal(input.scope, 'queue-a');
  });

  it('rejects an unknown resource, listing the available names', () => {
    assertUsage(
      () => buildSyncInput(config, parseSyncArgs(['--resources', 'projects,users,tasks']), 'q'),
      new RegExp(
        '^--resources: unknown users, tasks ' +
          String.raw`\(this configuration has: projects, absences, customers, entries\)$`,
      ),
    );
  });

  it('rejects an empty list', () => {
    assertUsage(() => buildSyncInput(config, parseSyncArgs(['--resources', ',']), 'q'), /the list is empty/);
  });
});
