// Schedule times from settings: intervals and cron expressions, and a clear error for anything else;
// the other schedule settings bounded, and the command line read, all before anything connects.
import { strict as assert } from 'assert';
import { UsageError } from '../../client/exit-codes';
import { parseScheduleArgs } from '../../client/schedule-args';
import { durationSetting } from '../../client/schedule-settings';
import { parseScheduleSpec, planSchedules, scheduleDefs } from '../../client/schedules';
import { resolveVariables, SettingsError } from '../../config/settings';

/** Asserts a SettingsError that starts with `setting:` and matches `pattern`. */
function assertSetting(fn: () => unknown, setting: string, pattern: RegExp) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SettingsError, `expected a SettingsError, got ${String(e)}`);
    assert.ok(e.message.startsWith(`${setting}: `), e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('schedule specs', () => {
  it('reads intervals with or without "every"', () => {
    assert.deepEqual(parseScheduleSpec('every 15m', 'X'), { intervals: [{ every: 900_000 }] });
    assert.deepEqual(parseScheduleSpec('2h', 'X'), { intervals: [{ every: 7_200_000 }] });
    assert.deepEqual(parseScheduleSpec('every 1d', 'X'), { intervals: [{ every: 86_400_000 }] });
  });

  it('reads five-field cron expressions', () => {
    assert.deepEqual(parseScheduleSpec('0 3 * * *', 'X'), { cronExpressions: ['0 3 * * *'] });
    assert.deepEqual(parseScheduleSpec('*/15 6-20 * * MON-FRI', 'X'), {
      cronExpressions: ['*/15 6-20 * * MON-FRI'],
    });
  });

  it('range-checks every cron field before anything is sent', () => {
    const bad: [string, RegExp][] = [
      ['60 * * * *', /minute "60" is not in 0-59/],
      ['0 24 * * *', /hour "24" is not in 0-23/],
      ['0 3 0 * *', /day-of-month "0" is not in 1-31/],
      ['0 3 32 * *', /day-of-month "32" is not in 1-31/],
      ['0 3 * 13 *', /month "13" is not in 1-12/],
      ['0 3 * JAX *', /month "JAX" is not in 1-12/],
      ['0 3 * * 8', /day-of-week "8" is not in 0-6/],
      ['0 3 * * 1-7', /day-of-week "7" is not in 0-6/],
      ['*/0 * * * *', /minute step \/0 is not in 1-60/],
      ['*/61 * * * *', /minute step \/61/],
      ['0 3 * * 5-1', /day-of-week range 5-1 ends before it starts/],
      ['0 3 ? * *', /day-of-month "\?" is not \*, n, a-b/],
      ['0 3 L * *', /day-of-month "L" is not in 1-31/],
      ['0 0 30 2 *', /never fires/],
      ['0 0 31 4,6 *', /never fires/],
    ];
    for (const [text, pattern] of bad)
      assertSetting(() => parseScheduleSpec(text, 'SCHEDULE_RECONCILE'), 'SCHEDULE_RECONCILE', pattern);
  });

  it('takes lists, ranges, steps and names, and 7 alone as Sunday, as Temporal does', () => {
    for (const text of [
      '0 3 * * 7',
      '0 3 * * sun-sat',
      '5/10 * * * *',
      '1-5/2 0,12 1-15 jan,FEB,3 *',
      '0 0 29 2 *',
      '0 0 31 1-12 *',
      '59 23 31 12 6',
      '0 0 30 2 MON',
    ])
      assert.deepEqual(parseScheduleSpec(text, 'X'), { cronExpressions: [text] });
  });

  it('bounds intervals to 1m..31d', () => {
    assert.deepEqual(parseScheduleSpec('every 31d', 'X'), { intervals: [{ every: 31 * 86_400_000 }] });
    assertSetting(
      () => parseScheduleSpec('every 32d', 'SCHEDULE_INCREMENTAL'),
      'SCHEDULE_INCREMENTAL',
      /1m to 31d/,
    );
    assertSetting(
      () => parseScheduleSpec(`every ${'9'.repeat(400)}d`, 'SCHEDULE_INCREMENTAL'),
      'SCHEDULE_INCREMENTAL',
      /1m to 31d, got "every 9{34}…"$/,
    );
  });

  it('bounds SCHEDULE_CATCHUP_WINDOW to 1m..30d and SCHEDULE_LOCK_WAIT to 0s..7d', () => {
    assert.equal(durationSetting({}, 'SCHEDULE_CATCHUP_WINDOW', '1h'), 3_600_000);
    assert.equal(durationSetting({ SCHEDULE_LOCK_WAIT: '0s' }, 'SCHEDULE_LOCK_WAIT', '1h'), 0);
    assert.equal(durationSetting({ SCHEDULE_LOCK_WAIT: '7d' }, 'SCHEDULE_LOCK_WAIT', '1h'), 7 * 86_400_000);
    for (const [setting, text] of [
      ['SCHEDULE_CATCHUP_WINDOW', '30s'],
      ['SCHEDULE_CATCHUP_WINDOW', '31d'],
      ['SCHEDULE_LOCK_WAIT', '8d'],
    ] as const)
      assertSetting(() => durationSetting({ [setting]: text }, setting, '1h'), setting, /must be from/);
    assertSetting(
      () => durationSetting({ SCHEDULE_LOCK_WAIT: 'soon' }, 'SCHEDULE_LOCK_WAIT', '1h'),
      'SCHEDULE_LOCK_WAIT',
      /a duration such as/,
    );
  });

  it('SCHEDULE_ID_PREFIX is a plain id of at most 64 characters', () => {
    assert.equal(scheduleDefs({ SCHEDULE_ID_PREFIX: 'acme.prod_2-eu' })[1].id, 'acme.prod_2-eu-reconcile');
    for (const prefix of ['', 'a b', '-x', 'a/b', 'x'.repeat(65), 'ä'])
      assertSetting(
        () => scheduleDefs({ SCHEDULE_ID_PREFIX: prefix }),
        'SCHEDULE_ID_PREFIX',
        /letters, digits/,
      );
  });

  it('plans both schedules or neither', () => {
    const vars = resolveVariables({}, new Date('2026-06-15T00:00:00Z'));
    assert.deepEqual(
      planSchedules(vars).map((o) => o.scheduleId),
      ['clockodo-incremental', 'clockodo-reconcile'],
    );
    assertSetting(
      () => planSchedules({ ...vars, SCHEDULE_RECONCILE: '0 3 * * 9' }),
      'SCHEDULE_RECONCILE',
      /day-of-week/,
    );
    assertSetting(
      () => planSchedules({ ...vars, SCHEDULE_LOCK_WAIT: '30d' }),
      'SCHEDULE_LOCK_WAIT',
      /0s to 7d/,
    );
  });

  it('names the setting and the problem for anything else', () => {
    assert.throws(
      () => parseScheduleSpec('every 30s', 'SCHEDULE_INCREMENTAL'),
      (e: unknown) => {
        assert.ok(e instanceof SettingsError);
        assert.match(e.message, /^SCHEDULE_INCREMENTAL: must be from 1m to 31d, got "every 30s"/);
        return true;
      },
    );
    assert.throws(
      () => parseScheduleSpec('nightly', 'SCHEDULE_RECONCILE'),
      /SCHEDULE_RECONCILE: expected an interval/,
    );
    assert.throws(() => parseScheduleSpec('0 3 * *', 'SCHEDULE_RECONCILE'), /cron expression/);
  });

  it('defaults to every 15 minutes and 03:00 UTC, under the clockodo prefix', () => {
    const [inc, rec] = scheduleDefs({});
    assert.deepEqual(
      [inc.id, inc.mode, inc.spec],
      ['clockodo-incremental', 'incremental', { intervals: [{ every: 900_000 }] }],
    );
    assert.deepEqual(
      [rec.id, rec.mode, rec.spec],
      ['clockodo-reconcile', 'reconcile', { cronExpressions: ['0 3 * * *'] }],
    );
    assert.equal(scheduleDefs({ SCHEDULE_ID_PREFIX: 'acme' })[0].id, 'acme-incremental');
  });
});

describe('schedule command line', () => {
  const usage = (argv: string[], pattern: RegExp) =>
    assert.throws(
      () => parseScheduleArgs(argv),
      (e: unknown) => e instanceof UsageError && pattern.test(e.message),
    );

  it('reads each command and its id', () => {
    assert.deepEqual(parseScheduleArgs(['apply']), { command: 'apply' });
    assert.deepEqual(parseScheduleArgs(['describe', 'x']), { command: 'describe', id: 'x' });
    assert.deepEqual(parseScheduleArgs(['pause', 'x', '--note', 'API', 'maintenance']), {
      command: 'pause',
      id: 'x',
      note: 'API maintenance',
    });
    assert.deepEqual(parseScheduleArgs(['--help']), { command: 'help' });
  });

  it('refuses a bad command, a missing id and arguments it does not take', () => {
    usage([], /^a command is needed/);
    usage(['frobnicate'], /^unknown command "frobnicate"/);
    usage(['describe'], /^describe needs a schedule id/);
    usage(['delete', '--force'], /^delete needs a schedule id/);
    usage(['list', '--all'], /^list: unexpected argument "--all"/);
    usage(['trigger', 'x', 'y'], /^trigger: unexpected argument "y"/);
    usage(['pause', 'x', '--note'], /^pause: --note needs a text/);
    usage(['pause', 'x', '--force'], /^pause: unexpected argument "--force"/);
  });
});
