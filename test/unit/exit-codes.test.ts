// One table of exit codes: each kind of failure maps to the same code in every command.
import { strict as assert } from 'assert';
import { EXIT, exitCodeOf, failureMessage, ServiceUnreachable, UsageError } from '../../client/exit-codes';
import { UsageError as SyncUsageError } from '../../client/sync-request';
import { SettingsError } from '../../config/settings';
import { ConfigError } from '../../config/validate-source-config';

describe('exit codes', () => {
  it('maps bad input to 2, an unreachable service to 3 and anything else to 1', () => {
    assert.equal(exitCodeOf(new UsageError('x')), 2);
    assert.equal(exitCodeOf(new SyncUsageError('x')), 2, 'start-sync throws the same UsageError');
    assert.equal(exitCodeOf(new SettingsError('X: y')), 2);
    assert.equal(exitCodeOf(new ConfigError('file.json', [{ field: 'a', problem: 'b' }])), 2);
    assert.equal(exitCodeOf(new ServiceUnreachable('cannot reach Temporal')), 3);
    assert.equal(exitCodeOf(new Error('boom')), 1);
    assert.equal(exitCodeOf('a string'), 1);
    assert.deepEqual(
      [EXIT.OK, EXIT.DEGRADED, EXIT.NO_SUCH_SCHEDULE, EXIT.CANCELLED, EXIT.STOPPED_FOLLOWING],
      [0, 4, 4, 5, 130],
    );
  });

  it('prints our own errors as they are, and names the command before anything else, without a stack', () => {
    assert.equal(failureMessage('report', new SettingsError('X: bad')), 'X: bad');
    assert.equal(failureMessage('report', new ServiceUnreachable('cannot reach')), 'cannot reach');
    const unexpected = failureMessage('report', new TypeError('x is not a function'));
    assert.equal(unexpected, 'report: x is not a function');
  });
});
