// Schedule times from settings: intervals and cron expressions, and a clear error for anything else.
import { strict as assert } from 'assert';
import { parseScheduleSpec, scheduleDefs } from '../../client/schedules';
import { UsageError } from '../../client/sync-request';

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

  it('names the setting and the problem for anything else', () => {
    assert.throws(
      () => parseScheduleSpec('every 30s', 'SCHEDULE_INCREMENTAL'),
      (e: unknown) => {
        assert.ok(e instanceof UsageError);
        assert.match(e.message, /^SCHEDULE_INCREMENTAL: an interval of at least 1m/);
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
