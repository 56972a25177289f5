// Relative settings travel as rules and are resolved from each run's own start time: a schedule made
// in 2026 must read 2026..2028 when it runs in 2028, while settings a user fixed stay fixed.
import { strict as assert } from 'assert';
import { ApplicationFailure } from '@temporalio/common';
import { readFileSync } from 'fs';
import * as path from 'path';
import { PROJECT_ROOT, resolveVariables, runRules } from '../../config/settings';
import { validateSourceConfig } from '../../config/validate-source-config';
import { applyRunRules, recentYears, recentYearsStart } from '../../domain/run-rules';

const raw: unknown = JSON.parse(
  readFileSync(path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json'), 'utf8'),
);
const MADE = new Date('2026-11-28T10:00:00Z');
const at = (iso: string) => Date.parse(iso);

/** The configuration and rules a client builds at `made` from `env`, as start-sync and schedules do. */
function clientSide(env: Record<string, string>, made = MADE) {
  const vars = resolveVariables(env, made);
  return { config: validateSourceConfig(raw, vars), rules: runRules(vars) };
}
const absenceYears = (c: ReturnType<typeof applyRunRules>) =>
  c.resources.find((r) => r.name === 'absences')?.endpoint.partition_router?.values;
const entriesStart = (c: ReturnType<typeof applyRunRules>) =>
  c.resources.find((r) => r.name === 'entries')?.endpoint.incremental_sync?.start_datetime;

describe('run rules', () => {
  it('a run refuses rules out of bounds in its input (recent:N from 1 to 50) instead of running out of memory', () => {
    const { config } = clientSide({});
    for (const rules of [
      { years: { recent: 999_999_999 } },
      { startDate: { recentYears: 0 } },
      { years: { recent: 1.5 } },
    ]) {
      assert.throws(
        () => applyRunRules(config, rules, at('2026-06-01T00:00:00Z')),
        (e: unknown) => e instanceof ApplicationFailure && e.nonRetryable && /from 1 to 50/.test(e.message),
      );
    }
    assert.equal(
      absenceYears(applyRunRules(config, { years: { recent: 50 } }, at('2026-06-01T00:00:00Z')))?.length,
      50,
    );
  });

  it('recentYears and recentYearsStart count back from the run year (UTC)', () => {
    assert.deepEqual(recentYears(3, at('2028-01-01T00:00:00Z')), ['2026', '2027', '2028']);
    assert.deepEqual(recentYears(3, at('2027-12-31T23:59:59Z')), ['2025', '2026', '2027']);
    assert.deepEqual(recentYears(1, at('2026-06-01T00:00:00Z')), ['2026']);
    assert.equal(recentYearsStart(3, at('2028-03-01T00:00:00Z')), '2026-01-01');
  });

  it('defaults are rules: a run in 2028 of a request made in 2026 reads 2026..2028', () => {
    const { config, rules } = clientSide({});
    assert.deepEqual(rules, { years: { recent: 3 }, startDate: { recentYears: 3 } });
    assert.deepEqual(absenceYears(config), ['2024', '2025', '2026'], 'checked as of when it was made');
    const in2028 = applyRunRules(config, rules, at('2028-01-01T00:00:05Z'));
    assert.deepEqual(absenceYears(in2028), ['2026', '2027', '2028']);
    assert.equal(entriesStart(in2028), '2026-01-01');
    // The last second of 2027 still reads 2025..2027.
    assert.deepEqual(absenceYears(applyRunRules(config, rules, at('2027-12-31T23:59:59Z'))), [
      '2025',
      '2026',
      '2027',
    ]);
  });

  it('SYNC_YEARS=recent:N is a rule of N years, and the start date follows it', () => {
    const { config, rules } = clientSide({ SYNC_YEARS: 'recent:5' });
    assert.deepEqual(rules, { years: { recent: 5 }, startDate: { recentYears: 5 } });
    assert.deepEqual(absenceYears(config), ['2022', '2023', '2024', '2025', '2026']);
    const in2028 = applyRunRules(config, rules, at('2028-07-01T00:00:00Z'));
    assert.deepEqual(absenceYears(in2028), ['2024', '2025', '2026', '2027', '2028']);
    assert.equal(entriesStart(in2028), '2024-01-01');
  });

  it('years and a start date the user fixed stay fixed', () => {
    const { config, rules } = clientSide({ SYNC_YEARS: '2024,2025', SYNC_START_DATE: '2024-03-01' });
    assert.deepEqual(rules, {});
    const in2028 = applyRunRules(config, rules, at('2028-07-01T00:00:00Z'));
    assert.deepEqual(absenceYears(in2028), ['2024', '2025']);
    assert.equal(entriesStart(in2028), '2024-03-01');
  });

  it('a fixed start date with relative years keeps the date and moves the years', () => {
    const { config, rules } = clientSide({ SYNC_START_DATE: '2020-01-01' });
    assert.deepEqual(rules, { years: { recent: 3 } });
    const in2028 = applyRunRules(config, rules, at('2028-07-01T00:00:00Z'));
    assert.deepEqual(absenceYears(in2028), ['2026', '2027', '2028']);
    assert.equal(entriesStart(in2028), '2020-01-01');
  });

  it('leaves fields that do not name the setting alone', () => {
    const { config, rules } = clientSide({});
    const absences = config.resources.find((r) => r.name === 'absences');
    assert.ok(absences?.endpoint.partition_router);
    delete absences.endpoint.partition_router.values_setting;
    assert.deepEqual(absenceYears(applyRunRules(config, rules, at('2028-07-01T00:00:00Z'))), [
      '2024',
      '2025',
      '2026',
    ]);
  });
});
