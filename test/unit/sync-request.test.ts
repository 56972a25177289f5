// Command-line choices to a workflow input: mistakes must be usage errors before anything starts.
import { strict as assert } from 'assert';
import { readFileSync } from 'fs';
import * as path from 'path';
import { buildSyncInput, parseSyncArgs, START_SYNC_HELP, UsageError } from '../../client/sync-request';
import { PROJECT_ROOT, resolveVariables } from '../../config/settings';
import { validateSourceConfig } from '../../config/validate-source-config';
import type { Destination, RunOptions } from '../../domain/types';

const raw: unknown = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json'), 'utf8'),
);
const config = validateSourceConfig(raw, resolveVariables({}, new Date('2025-06-15T00:00:00Z')));
const DESTINATION: Destination = { url: 'http://127.0.0.1:8123', database: 'clockodo' };
const OPTIONS: RunOptions = {
  lookbackDays: 31,
  horizonDays: 30,
  cursorMarginMs: 24 * 3_600_000,
  maxDeleteShare: 0.1,
  allowMassDelete: false,
  secondChanceDelayMs: 30_000,
};
const BASE = { destination: DESTINATION, options: OPTIONS };

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
    assert.deepEqual(parseSyncArgs([]), {
      mode: 'incremental',
      allowMassDelete: false,
      wait: true,
      help: false,
    });
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
      allowMassDelete: false,
      wait: false,
      help: false,
      resources: ['absences'],
    });
  });

  it('reads --reconcile as a reconciliation run', () => {
    assert.deepEqual(parseSyncArgs(['--reconcile']), {
      mode: 'reconcile',
      allowMassDelete: false,
      wait: true,
      help: false,
    });
    // Repeating it is harmless.
    assert.equal(parseSyncArgs(['--reconcile', '--reconcile']).mode, 'reconcile');
  });

  it('reads --allow-mass-delete with any run kind', () => {
    assert.equal(parseSyncArgs(['--allow-mass-delete']).allowMassDelete, true);
    assert.equal(parseSyncArgs(['--allow-mass-delete']).mode, 'incremental');
    assert.deepEqual(parseSyncArgs(['--reconcile', '--allow-mass-delete', '--no-wait']), {
      mode: 'reconcile',
      allowMassDelete: true,
      wait: false,
      help: false,
    });
    assert.equal(parseSyncArgs(['--allow-mass-delete', '--full-refresh']).mode, 'full_refresh');
  });

  it('reads --help and -h, and the help names every option and exit code', () => {
    assert.equal(parseSyncArgs(['--help']).help, true);
    assert.equal(parseSyncArgs(['-h']).help, true);
    for (const option of [
      '--resources',
      '--reconcile',
      '--full-refresh',
      '--allow-mass-delete',
      '--no-wait',
      '--check',
      '--help',
    ])
      assert.ok(START_SYNC_HELP.includes(option), option);
    for (const code of [0, 1, 2, 3, 4, 5, 130])
      assert.match(START_SYNC_HELP, new RegExp(`^  ${code}  `, 'm'));
  });

  it('rejects --reconcile together with --full-refresh, in either order', () => {
    assertUsage(() => parseSyncArgs(['--reconcile', '--full-refresh']), /^--full-refresh cannot be combined/);
    assertUsage(() => parseSyncArgs(['--full-refresh', '--reconcile']), /^--reconcile cannot be combined/);
  });

  it('rejects an unknown flag, naming it', () => {
    assertUsage(() => parseSyncArgs(['--ful-refresh']), /unknown argument "--ful-refresh"/);
    assertUsage(() => parseSyncArgs(['projects']), /unknown argument "projects"/);
    // A value on a flag that takes none is not silently accepted.
    assertUsage(() => parseSyncArgs(['--full-refresh=yes']), /unknown argument "--full-refresh=yes"/);
    assertUsage(() => parseSyncArgs(['--allow-mass-delete=1']), /unknown argument "--allow-mass-delete=1"/);
  });

  it('reads --check, and status takes no options', () => {
    assert.equal(parseSyncArgs(['--check', '--reconcile']).check, true);
    assert.equal(parseSyncArgs(['--reconcile']).check, undefined);
    assert.equal(parseSyncArgs(['status']).status, true);
    assertUsage(() => parseSyncArgs(['status', '--check']), /^status takes no options/);
    assertUsage(() => parseSyncArgs(['status', '--reconcile']), /^status takes no options/);
  });

  it('quotes an unknown argument cut short', () => {
    assertUsage(() => parseSyncArgs([`--${'x'.repeat(100_000)}`]), /^unknown argument "--x{38}…" \(known:/);
    assertUsage(
      () =>
        buildSyncInput(
          config,
          parseSyncArgs(['--resources', Array.from({ length: 1000 }, (_, i) => `r${i}`).join(',')]),
          BASE,
        ),
      /^--resources: unknown r0, r1, r2, r3, r4 and 995 more \(this configuration has:/,
    );
  });

  it('rejects --resources without a list', () => {
    assertUsage(() => parseSyncArgs(['--resources']), /--resources needs a comma-separated list/);
    assertUsage(() => parseSyncArgs(['--resources=']), /--resources needs a comma-separated list/);
  });
});

describe('buildSyncInput', () => {
  it('takes every resource, in configuration order, when none are named', () => {
    const input = buildSyncInput(config, parseSyncArgs([]), BASE);
    assert.deepEqual(
      input.resources,
      config.resources.map((r) => r.name),
    );
    assert.deepEqual(input.resources.slice(0, 4), ['projects', 'absences', 'customers', 'entries']);
    assert.equal(input.resources.length, 16);
    assert.equal(input.mode, 'incremental');
    assert.equal(input.config, config);
  });

  it('keeps configuration order and drops duplicates', () => {
    const input = buildSyncInput(
      config,
      parseSyncArgs(['--resources', 'entries,projects,entries', '--full-refresh']),
      BASE,
    );
    assert.deepEqual(input.resources, ['projects', 'entries']);
    assert.equal(input.mode, 'full_refresh');
  });

  it('carries the destination and the run options, with allowMassDelete from the arguments', () => {
    const input = buildSyncInput(config, parseSyncArgs(['--reconcile']), BASE);
    assert.equal(input.mode, 'reconcile');
    assert.deepEqual(input.destination, DESTINATION);
    assert.deepEqual(input.options, OPTIONS);
    const allowed = buildSyncInput(config, parseSyncArgs(['--allow-mass-delete']), BASE);
    assert.deepEqual(allowed.options, { ...OPTIONS, allowMassDelete: true });
    // Without the flag the run is guarded, whatever the base options said.
    const guarded = buildSyncInput(config, parseSyncArgs([]), {
      destination: DESTINATION,
      options: { ...OPTIONS, allowMassDelete: true },
    });
    assert.equal(guarded.options.allowMassDelete, false);
    // The caller's options are not changed.
    assert.equal(OPTIONS.allowMassDelete, false);
  });

  it('rejects an unknown resource, listing the available names', () => {
    assertUsage(
      () => buildSyncInput(config, parseSyncArgs(['--resources', 'projects,user,tasks']), BASE),
      new RegExp(
        '^--resources: unknown user, tasks ' +
          String.raw`\(this configuration has: projects, absences, customers, entries, services, .*, work_times\)$`,
      ),
    );
  });

  it('rejects an empty list', () => {
    assertUsage(() => buildSyncInput(config, parseSyncArgs(['--resources', ',']), BASE), /the list is empty/);
  });
});
