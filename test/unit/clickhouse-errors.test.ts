// How ClickHouse errors are sorted: what 18.16 and today's servers answer, and connection errors.
import { strict as assert } from 'assert';
import { ApplicationFailure } from '@temporalio/common';
import {
  classifyClickHouseError,
  clickHouseCode,
  ClickHouseError,
  clickHouseFailure,
  sortingClickHouseErrors,
} from '../../clickhouse/errors';

/** An error as withStatementInErrors makes it, from what the client threw. */
function chError(detail: string, code?: string): ClickHouseError {
  return new ClickHouseError(
    'ch.example.com:8123',
    'INSERT INTO db.t',
    code ?? clickHouseCode({ message: detail }),
    detail,
    null,
  );
}
const old = (code: number, text: string) =>
  chError(`Code: ${code}, e.displayText() = DB::Exception: ${text}, e.what() = DB::Exception`);

describe('clickhouse/errors', () => {
  it("reads the code from 18.16's text, and from the client's parsed code", () => {
    assert.equal(
      clickHouseCode({ message: 'Code: 193, e.displayText() = DB::Exception: Wrong password' }),
      '193',
    );
    assert.equal(clickHouseCode({ code: '60', message: 'Table db.t does not exist' }), '60');
    assert.equal(clickHouseCode({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }), undefined);
  });

  it('sorts logins, rights, schema and SQL, busy servers and connections', () => {
    const cases: [ClickHouseError, string][] = [
      [old(193, 'Wrong password for user default'), 'login'],
      [old(192, 'Unknown user nobody'), 'login'],
      [old(516, 'default: Authentication failed'), 'login'],
      [old(497, 'Not enough privileges'), 'rights'],
      [old(60, "Table db.t doesn't exist."), 'schema'],
      [old(81, "Database db doesn't exist"), 'schema'],
      [old(47, 'Unknown identifier: x'), 'schema'],
      [old(62, 'Syntax error: failed at position 1'), 'schema'],
      [old(53, 'Type mismatch'), 'schema'],
      [old(16, 'There is no column x in table'), 'schema'],
      [chError('Table db.t does not exist. (UNKNOWN_TABLE) (version 24.3.1)', '60'), 'schema'],
      [old(242, 'Table is in readonly mode'), 'transient'],
      [old(252, 'Too many parts (300)'), 'transient'],
      [old(241, 'Memory limit (total) exceeded'), 'transient'],
      [chError('connect ECONNREFUSED 127.0.0.1:8123', 'ECONNREFUSED'), 'connection'],
      [chError('read ECONNRESET', 'ECONNRESET'), 'connection'],
      [chError('Timeout error.'), 'connection'],
      [chError('socket hang up'), 'connection'],
      [old(999999, 'something new'), 'other'],
    ];
    for (const [err, kind] of cases) assert.equal(classifyClickHouseError(err), kind, err.message);
  });

  it('fails a refused login at once, naming the settings to check', () => {
    const f = clickHouseFailure(old(193, 'Wrong password for user default'));
    assert.ok(f instanceof ApplicationFailure);
    assert.equal(f.nonRetryable, true);
    assert.equal(f.type, 'ClickHouseLoginRefused');
    assert.equal(
      f.message,
      "ClickHouse at ch.example.com:8123 refused the worker's login (error 193: Wrong password for user default): " +
        'check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD (in: INSERT INTO db.t)',
    );
  });

  it('fails a schema error at once, in the server words', () => {
    const f = clickHouseFailure(old(60, "Table db.t doesn't exist."));
    assert.ok(f instanceof ApplicationFailure);
    assert.equal(f.nonRetryable, true);
    assert.equal(f.type, 'ClickHouseSchemaError');
    assert.match(
      f.message,
      /rejected the statement \(error 60: Table db\.t doesn't exist\.\): .* \(in: INSERT INTO db\.t\)$/,
    );
  });

  it('retries a connection problem with the message as it was', () => {
    const err = chError('connect ECONNREFUSED 127.0.0.1:8123', 'ECONNREFUSED');
    const f = clickHouseFailure(err);
    assert.ok(f instanceof ApplicationFailure);
    assert.equal(f.nonRetryable, false);
    assert.equal(f.type, 'ClickHouseUnavailable');
    assert.equal(f.message, err.message);
  });

  it('leaves other errors alone, and sortingClickHouseErrors applies the sort', async () => {
    const http = ApplicationFailure.retryable('GET /v2/projects: answered 503', 'HttpStatus503');
    assert.equal(clickHouseFailure(http), http);
    const unknown = old(999999, 'something new');
    assert.equal(clickHouseFailure(unknown), unknown);
    await assert.rejects(
      sortingClickHouseErrors(() => Promise.reject(old(62, 'Syntax error'))),
      (e: unknown) => e instanceof ApplicationFailure && e.type === 'ClickHouseSchemaError',
    );
    assert.equal(await sortingClickHouseErrors(() => Promise.resolve(7)), 7);
  });
});
