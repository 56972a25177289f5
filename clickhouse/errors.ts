// ClickHouse errors, sorted once for every activity: a server that is away or busy is retried, while
// a refused login or a statement the server rejects fails at once (retrying cannot change the answer),
// with a message that says what to fix.
import { ApplicationFailure } from '@temporalio/common';

/** An error of a ClickHouse call, naming the server and the statement (see withStatementInErrors). */
export class ClickHouseError extends Error {
  constructor(
    readonly host: string,
    /** The statement as shown in messages (shortened). */
    readonly statement: string,
    /** ClickHouse's error code ('193') or the connection's ('ECONNREFUSED'), when known. */
    readonly code: string | undefined,
    /** The server's or the connection's own message, in one line. */
    readonly detail: string,
    cause: unknown,
  ) {
    super(`ClickHouse at ${host}: ${detail} (in: ${statement})`, { cause });
    this.name = 'ClickHouseError';
  }
}

/** The ClickHouse error code of an error, also from 18.16's "Code: 193, e.displayText() = ..." text. */
export function clickHouseCode(err: { code?: unknown; message?: unknown }): string | undefined {
  if (typeof err.code === 'string' && /^\d+$/.test(err.code)) return err.code;
  if (typeof err.code === 'number') return String(err.code);
  return typeof err.message === 'string' ? /\bCode: (\d+)/.exec(err.message)?.[1] : undefined;
}

/** A login the server refuses: unknown user, wrong or missing password (18.16 to 26.x). */
export const LOGIN_REFUSED = new Set(['192', '193', '194', '516']);
/** IP_ADDRESS_NOT_ALLOWED: refused too, though no password would help. */
const ADDRESS_REFUSED = '195';
/** A user without the rights for a statement: READONLY, ACCESS_DENIED. */
const RIGHTS_MISSING = new Set(['164', '497']);
/** Statements or data the server's schema rejects: the same statement fails the same way again. */
const SCHEMA_OR_SQL = new Set([
  '6', // CANNOT_PARSE_TEXT
  '8', // THERE_IS_NO_COLUMN
  '10', // NOT_FOUND_COLUMN_IN_BLOCK
  '16', // NO_SUCH_COLUMN_IN_TABLE
  '20', // NUMBER_OF_COLUMNS_DOESNT_MATCH
  '26', // CANNOT_PARSE_QUOTED_STRING
  '27', // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  '36', // BAD_ARGUMENTS
  '38', // CANNOT_PARSE_DATE
  '41', // CANNOT_PARSE_DATETIME
  '42', // NUMBER_OF_ARGUMENTS_DOESNT_MATCH
  '43', // ILLEGAL_TYPE_OF_ARGUMENT
  '44', // ILLEGAL_COLUMN
  '46', // UNKNOWN_FUNCTION
  '47', // UNKNOWN_IDENTIFIER
  '48', // NOT_IMPLEMENTED
  '50', // UNKNOWN_TYPE
  '53', // TYPE_MISMATCH
  '60', // UNKNOWN_TABLE
  '62', // SYNTAX_ERROR
  '70', // CANNOT_CONVERT_TYPE
  '72', // CANNOT_PARSE_NUMBER
  '81', // UNKNOWN_DATABASE
  '115', // UNKNOWN_SETTING
  '117', // INCORRECT_DATA
  '179', // MULTIPLE_EXPRESSIONS_FOR_ALIAS
  '184', // ILLEGAL_AGGREGATION
  '215', // NOT_AN_AGGREGATE
  '352', // AMBIGUOUS_COLUMN_NAME
  '386', // NO_COMMON_TYPE
]);
/** A server that is busy, read-only for a while, or between replicas: the same call may work soon. */
const TRANSIENT = new Set([
  '159', // TIMEOUT_EXCEEDED
  '202', // TOO_MANY_SIMULTANEOUS_QUERIES
  '203', // NO_FREE_CONNECTION
  '209', // SOCKET_TIMEOUT
  '210', // NETWORK_ERROR
  '225', // NO_ZOOKEEPER
  '236', // ABORTED
  '241', // MEMORY_LIMIT_EXCEEDED
  '242', // TABLE_IS_READ_ONLY
  '252', // TOO_MANY_PARTS
  '285', // TOO_FEW_LIVE_REPLICAS
  '286', // UNSATISFIED_QUORUM_FOR_PREVIOUS_WRITE
  '319', // UNKNOWN_STATUS_OF_INSERT
  '394', // QUERY_WAS_CANCELLED
  '425', // SYSTEM_ERROR
  '473', // DEADLOCK_AVOIDED
  '999', // KEEPER_EXCEPTION
]);
const CONNECTION = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

export type ClickHouseErrorKind = 'connection' | 'transient' | 'login' | 'rights' | 'schema' | 'other';

export function classifyClickHouseError(err: ClickHouseError): ClickHouseErrorKind {
  const code = clickHouseCode(err);
  if (code !== undefined) {
    if (LOGIN_REFUSED.has(code) || code === ADDRESS_REFUSED) return 'login';
    if (RIGHTS_MISSING.has(code)) return 'rights';
    if (SCHEMA_OR_SQL.has(code)) return 'schema';
    if (TRANSIENT.has(code)) return 'transient';
    return 'other';
  }
  if (err.code !== undefined && CONNECTION.has(err.code)) return 'connection';
  // The client's own request timeout, and a socket closed under a request, carry no code.
  if (/^Timeout error|socket hang up|other side closed/i.test(err.detail)) return 'connection';
  return 'other';
}

/** ClickHouse's own words without 18.16's wrapping ("Code: 60, e.displayText() = DB::Exception: ..."). */
function serverWords(detail: string): string {
  return detail
    .replace(/^Code: \d+[.,]\s*(e\.displayText\(\) = )?/, '')
    .replace(/^DB::Exception: /, '')
    .replace(/, e\.what\(\) = .*$/, '')
    .trim();
}

/**
 * The failure an activity reports for `e`: a ClickHouse error becomes an ApplicationFailure that
 * fails at once (login, rights, schema or SQL) or retries (connection, busy server); anything else
 * is returned as it is.
 */
export function clickHouseFailure(e: unknown): unknown {
  if (!(e instanceof ClickHouseError)) return e;
  const kind = classifyClickHouseError(e);
  const where = `ClickHouse at ${e.host}`;
  const error = `error ${clickHouseCode(e)}: ${serverWords(e.detail)}`;
  const inStatement = `(in: ${e.statement})`;
  switch (kind) {
    case 'login':
      return ApplicationFailure.nonRetryable(
        `${where} refused the worker's login (${error}): check CLICKHOUSE_USER and CLICKHOUSE_PASSWORD ${inStatement}`,
        'ClickHouseLoginRefused',
      );
    case 'rights':
      return ApplicationFailure.nonRetryable(
        `${where} refused the statement to the worker's user (${error}): grant CLICKHOUSE_USER the rights ${inStatement}`,
        'ClickHouseAccessDenied',
      );
    case 'schema':
      return ApplicationFailure.nonRetryable(
        `${where} rejected the statement (${error}): the schema or the SQL does not fit this server, so it is not retried ${inStatement}`,
        'ClickHouseSchemaError',
      );
    case 'connection':
    case 'transient':
      return ApplicationFailure.retryable(
        e.message,
        kind === 'connection' ? 'ClickHouseUnavailable' : 'ClickHouseBusy',
      );
    case 'other':
      return e;
  }
}

/** Runs an activity's work with its ClickHouse errors sorted (see clickHouseFailure). */
export async function sortingClickHouseErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw clickHouseFailure(e);
  }
}
