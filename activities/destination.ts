// The destination a sync asks for, checked against what this worker holds credentials for: the
// request names the ClickHouse server and database; the worker has the user and password.
import { ApplicationFailure } from '@temporalio/activity';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Destination } from '../domain/types';
import { shownUrl } from '../config/shown-url';
import { destinationKey } from '../domain/workflow-ids';
import { IDENTIFIER } from '../domain/names';

export interface DestinationDeps {
  ch: ClickHouseClient;
  /** The ClickHouse URL this worker's client (and credentials) are for. */
  clickhouseUrl: string;
}

const serverOf = (url: string) => destinationKey({ url, database: '' }).replace(/\/$/, '');

/** The database to write to, once the destination is one this worker can write to. */
export function destinationDatabase(deps: DestinationDeps, d: Destination): string {
  if (serverOf(d.url) !== serverOf(deps.clickhouseUrl)) {
    throw ApplicationFailure.nonRetryable(
      `this worker has no credentials for ClickHouse at ${serverOf(d.url)} (it writes to ${serverOf(deps.clickhouseUrl)}); ` +
        `start a worker with CLICKHOUSE_URL=${shownUrl(d.url)} and that server's user and password`,
      'DestinationNotConfigured',
    );
  }
  if (!IDENTIFIER.test(d.database)) {
    throw ApplicationFailure.nonRetryable(
      `destination database ${JSON.stringify(d.database.slice(0, 64))} is not a plain identifier`,
      'DestinationNotConfigured',
    );
  }
  return d.database;
}
