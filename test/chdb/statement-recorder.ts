// Records every statement the project sends to ClickHouse, in order, with what the server answered,
// so test/chdb/replay.py can run the same statements on today's engine (chdb) and compare.
// It wraps a ClickHouseClient (query, command, exec, insert); production code only lets a test wrap
// the worker's client (createSyncWorker's `wrapClickHouse`).
import * as path from 'path';
import { Readable } from 'stream';
import { ResultSet } from '@clickhouse/client';
import type { ClickHouseClient, ClickHouseSettings, DataFormat } from '@clickhouse/client';

export interface RecordedStatement {
  seq: number;
  kind: 'query' | 'command' | 'exec' | 'insert';
  /** The SQL text; for an insert, the statement the client sends before the rows. */
  sql: string;
  /** `file.ts:function` of the project code that issued it. */
  caller: string;
  /** `file.ts:line` of that call. */
  site: string;
  /** Settings the call passed itself (the client's own are in StatementLog.settings). */
  settings?: ClickHouseSettings;
  /** A query's output format; an insert's input format. */
  format?: string;
  /** An insert's rows. */
  rows?: unknown[];
  /** A query's whole answer from the recording server, as text. */
  result?: string;
  /** Why the recording server rejected it. */
  error?: string;
  /** Why it cannot be replayed (e.g. an insert from a stream). */
  unreplayable?: string;
}

export interface StatementLog {
  server: string;
  /** Settings the project's client changes, as `system.settings` shows them. */
  settings: Record<string, string>;
  statements: RecordedStatement[];
  /** Statements that need what chdb lacks (a cluster): only parsed there. */
  parseOnly?: RecordedStatement[];
}

/**
 * A client that sends nothing anywhere: commands succeed and each query answers `answer(sql)`'s
 * rows. Wrapped in a recorder, it captures the statements of code paths no local server can run.
 */
export function stubClickHouse(answer: (sql: string) => unknown[]): ClickHouseClient {
  const stub: Pick<ClickHouseClient, 'query' | 'command' | 'insert' | 'close'> = {
    query: (params) =>
      Promise.resolve(
        ResultSet.instance({
          stream: Readable.from([
            Buffer.from(
              answer(params.query)
                .map((r) => `${JSON.stringify(r)}\n`)
                .join(''),
            ),
          ]),
          format: params.format ?? 'JSON',
          query_id: 'stub',
          log_error: () => undefined,
          response_headers: {},
        }),
      ),
    command: () => Promise.resolve({ query_id: 'stub', response_headers: {} }),
    insert: () => Promise.resolve({ executed: true, query_id: 'stub', response_headers: {} }),
    close: () => Promise.resolve(),
  };
  return stub as ClickHouseClient;
}

const ROOT = path.resolve(__dirname, '..', '..');

/** The first stack frame outside this file and node_modules: the project code that issued the call. */
function callerOf(stack: string | undefined): { caller: string; site: string } {
  for (const line of (stack ?? '').split('\n').slice(1)) {
    const m = /^\s*at (?:async )?(?:(.*?) \()?(.*?):(\d+):\d+\)?$/.exec(line);
    if (!m || m[2] === __filename || m[2].includes('node_modules') || !m[2].startsWith(ROOT)) continue;
    const file = path.relative(ROOT, m[2]);
    const fn = (m[1] ?? '<anonymous>').replace(/^(Object|Proxy)\./, '');
    return { caller: `${file}:${fn}`, site: `${file}:${m[3]}` };
  }
  return { caller: '<unknown>', site: '<unknown>' };
}

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class StatementRecorder {
  readonly statements: RecordedStatement[] = [];
  // One statement at a time across every wrapped client: the order recorded is the order the server
  // ran them in, so the replay sees the same data at each SELECT.
  private queue: Promise<unknown> = Promise.resolve();

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.then(run, run);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async record<T>(
    entry: Omit<RecordedStatement, 'seq' | 'caller' | 'site'>,
    stack: string | undefined,
    run: (s: RecordedStatement) => Promise<T>,
  ): Promise<T> {
    return this.serial(async () => {
      const s: RecordedStatement = { seq: this.statements.length + 1, ...callerOf(stack), ...entry };
      this.statements.push(s);
      try {
        return await run(s);
      } catch (e) {
        s.error = errorText(e);
        throw e;
      }
    });
  }

  /** A client that behaves like `ch` and records what passes through it. */
  wrap(ch: ClickHouseClient): ClickHouseClient {
    const wrapped: Partial<ClickHouseClient> = {
      query: (params) => {
        const format: DataFormat = params.format ?? 'JSON';
        return this.record(
          { kind: 'query', sql: params.query, format, settings: params.clickhouse_settings },
          new Error().stack,
          async (s) => {
            const rs = await ch.query(params);
            // Read whole, then handed back as a fresh result set over the same bytes.
            s.result = await rs.text();
            return ResultSet.instance({
              stream: Readable.from([Buffer.from(s.result)]),
              format,
              query_id: rs.query_id,
              log_error: () => undefined,
              response_headers: rs.response_headers,
            });
          },
        );
      },
      command: (params) =>
        this.record(
          { kind: 'command', sql: params.query, settings: params.clickhouse_settings },
          new Error().stack,
          () => ch.command(params),
        ),
      exec: async (params) => {
        const values = 'values' in params ? params.values : undefined;
        if (!values)
          return this.record(
            { kind: 'exec', sql: params.query, settings: params.clickhouse_settings },
            new Error().stack,
            () => ch.exec(params),
          );
        // An insert streamed as JSONEachRow text (clickhouse/json-insert.ts): read whole, recorded as
        // rows, and sent on as the same text.
        const stack = new Error().stack;
        let text = '';
        for await (const chunk of values) text += String(chunk);
        const format = /FORMAT\s+(\w+)\s*$/.exec(params.query)?.[1];
        const rows = text
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as unknown);
        return this.record(
          {
            kind: 'insert',
            sql: params.query,
            format,
            settings: params.clickhouse_settings,
            rows,
            unreplayable: format === 'JSONEachRow' ? undefined : `rows in format ${format}`,
          },
          stack,
          () => ch.exec({ ...params, values: Readable.from([text]) }),
        );
      },
      insert: (params) => {
        // The statement as @clickhouse/client builds it (getInsertQuery).
        const format = params.format || 'JSONCompactEachRow';
        const c = params.columns;
        const cols = Array.isArray(c)
          ? c.length
            ? ` (${c.join(', ')})`
            : ''
          : c?.except.length
            ? ` (* EXCEPT (${c.except.join(', ')}))`
            : '';
        const rows = Array.isArray(params.values) ? (params.values as unknown[]) : undefined;
        return this.record(
          {
            kind: 'insert',
            sql: `INSERT INTO ${params.table.trim()}${cols} FORMAT ${format}`,
            format,
            settings: params.clickhouse_settings,
            // Copied now: a caller may reuse its array after the insert.
            rows: rows && (JSON.parse(JSON.stringify(rows)) as unknown[]),
            unreplayable: rows === undefined ? 'values are not an array of rows' : undefined,
          },
          new Error().stack,
          () => ch.insert(params),
        );
      },
    };
    return new Proxy(ch, {
      get: (target, prop, receiver) =>
        prop in wrapped
          ? wrapped[prop as keyof ClickHouseClient]
          : (Reflect.get(target, prop, receiver) as unknown),
    });
  }

  /** The log for replay.py: the statements and the settings `ch` (the project's client) applies. */
  async log(ch: ClickHouseClient, bare: ClickHouseClient): Promise<StatementLog> {
    const changed = async (c: ClickHouseClient) => {
      const rs = await c.query({
        query: 'SELECT name, value FROM system.settings WHERE changed',
        format: 'JSONEachRow',
      });
      return new Map((await rs.json<{ name: string; value: string }>()).map((r) => [r.name, r.value]));
    };
    const [withProject, serverOwn] = [await changed(ch), await changed(bare)];
    // What the server's own profile changes is not the project's doing; only the client's settings go.
    const settings: Record<string, string> = {};
    for (const [name, value] of withProject) if (serverOwn.get(name) !== value) settings[name] = value;
    const rs = await ch.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' });
    const [{ v }] = await rs.json<{ v: string }>();
    return { server: v, settings, statements: this.statements };
  }
}
