// One ClickHouse client per process, with the settings every query of the engine relies on.
import { readFileSync } from 'fs';
import { rootCertificates } from 'tls';
import { ClickHouseLogLevel, createClient, ClickHouseClient } from '@clickhouse/client';
import { isCertificateError } from '../config/certificate-errors';
import { ClickHouseSettings, SettingsError } from '../config/settings';
import { ClickHouseError, clickHouseCode, LOGIN_REFUSED } from './errors';

/** The client's TLS options for an https:// URL signed by a private CA (or with a client certificate). */
function tlsOptions(settings: ClickHouseSettings) {
  const { caCert, clientCert, clientKey } = settings.tls ?? {};
  if (!caCert && !clientCert) return {};
  // The client takes one CA list: without a CA of its own, Node's bundled roots.
  const ca_cert = caCert ? readFileSync(caCert) : Buffer.from(rootCertificates.join('\n'));
  return {
    tls:
      clientCert && clientKey
        ? { ca_cert, cert: readFileSync(clientCert), key: readFileSync(clientKey) }
        : { ca_cert },
  };
}

/**
 * Errors that say where they happened: the server and the statement, with ClickHouse's own message
 * (and its `code`, for clickhouse/errors.ts, which sorts them). A failed run shows this as its cause.
 */
export function withStatementInErrors(ch: ClickHouseClient, host: string): ClickHouseClient {
  const explain = (e: unknown, statement: string): Error => {
    const err = e as Error & { code?: string };
    const text = statement.replace(/\s+/g, ' ').trim();
    const shown = text.length > 160 ? `${text.slice(0, 160)}…` : text;
    return new ClickHouseError(host, shown, err.code ?? clickHouseCode(err), err.message.split('\n')[0], e);
  };
  const wrap =
    <A extends { query?: string; table?: string }, R>(fn: (a: A) => Promise<R>, what: (a: A) => string) =>
    async (a: A): Promise<R> => {
      try {
        return await fn(a);
      } catch (e) {
        throw explain(e, what(a));
      }
    };
  const q = (a: { query?: string }) => a.query ?? '';
  // The client keeps its state in ordinary properties, so the wrapper can inherit the rest (close, ping).
  return Object.assign(Object.create(ch) as ClickHouseClient, {
    query: wrap(ch.query.bind(ch) as (a: { query: string }) => Promise<unknown>, q),
    command: wrap(ch.command.bind(ch), q),
    exec: wrap(ch.exec.bind(ch), q),
    insert: wrap(
      ch.insert.bind(ch) as (a: { table: string }) => Promise<unknown>,
      (a) => `INSERT INTO ${a.table}`,
    ),
  });
}

export function connectClickHouse(settings: ClickHouseSettings): ClickHouseClient {
  return withStatementInErrors(connectTo(settings), new URL(settings.url).host);
}

function connectTo(settings: ClickHouseSettings): ClickHouseClient {
  return createClient({
    url: settings.url,
    username: settings.user,
    password: settings.password,
    ...tlsOptions(settings),
    // Its own console lines would break the worker's JSON log; failures reach us as errors anyway.
    log: { level: ClickHouseLogLevel.OFF },
    clickhouse_settings: {
      // Integers as JSON numbers (ids fit in 2^53), so rows read back compare with the API's records.
      output_format_json_quote_64bit_integers: 0,
    },
  });
}

/**
 * Refuses, with the setting to fix, credentials or certificates ClickHouse will never accept; a
 * server that is merely down is not refused here (activities retry until it is back).
 */
export async function checkClickHouseAccess(
  ch: ClickHouseClient,
  settings: ClickHouseSettings,
): Promise<void> {
  try {
    await ch.query({ query: 'SELECT 1', format: 'JSONEachRow' }).then((rs) => rs.json());
  } catch (e) {
    const err = e as Error & { code?: string };
    const where = `ClickHouse at ${new URL(settings.url).host}`;
    // 18.16 answers "Code: 193, e.displayText() = ...", which the client does not parse into `code`.
    const code = clickHouseCode(err);
    if (code && LOGIN_REFUSED.has(code)) {
      throw new SettingsError(
        `CLICKHOUSE_USER/CLICKHOUSE_PASSWORD: ${where} refused user ${settings.user} (ClickHouse error ${code})`,
      );
    }
    // The code is the connection's own, on the error or (wrapped) on its cause; EPROTO: not TLS at all.
    const tlsCode = [err.code, (err.cause as { code?: string } | undefined)?.code].find(
      (c) => isCertificateError(c) || c === 'EPROTO',
    );
    if (tlsCode !== undefined) {
      throw new SettingsError(
        `CLICKHOUSE_TLS_CA_CERT_PATH: cannot verify ${where} over TLS (${tlsCode}); ` +
          `give the CA that signed its certificate`,
      );
    }
  }
}
