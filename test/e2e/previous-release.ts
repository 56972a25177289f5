// What an earlier release left in ClickHouse, kept as a fixture (test/fixtures/previous-release/,
// made by scripts/previous-release.sh): its tables, views and state tables with their rows,
// put into a database of a test's own; and the statements that release runs on them.
import { readFileSync } from 'fs';
import * as path from 'path';
import type { ClickHouseClient } from '@clickhouse/client';
import type { DatasetSize } from '../../api-server/types';
import { ident } from '../../clickhouse/sql';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'previous-release');

/** The demo dataset every fixture was recorded from: the API server of a test serves the same. */
export interface FixtureDataset {
  seed: number;
  generatedAt: string;
  maxItemsPerPage: number;
  size: DatasetSize;
}

export const FIXTURE_DATASET = JSON.parse(
  readFileSync(path.join(FIXTURES, 'dataset.json'), 'utf8'),
) as FixtureDataset;

export interface PreviousRelease {
  /** The fixture's folder name. */
  name: string;
  /** Tables, then the views that read them. */
  tables: string[];
  views: string[];
  /** Each table's rows as the release wrote them (JSONEachRow lines, its columns). */
  rows: Map<string, string[]>;
  /** Each object's CREATE statement, naming `database`. */
  ddl(object: string, database: string): string;
}

export function previousRelease(name: string): PreviousRelease {
  const dir = path.join(FIXTURES, name);
  const objects = JSON.parse(readFileSync(path.join(dir, 'objects.json'), 'utf8')) as {
    database: string;
    tables: string[];
    views: string[];
  };
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const rows = new Map(
    objects.tables.map((t) => [t, read(`${t}.rows.jsonl`).split('\n').filter(Boolean)] as const),
  );
  const named = new RegExp(`\\b${objects.database}\\.`, 'g');
  return {
    name,
    tables: objects.tables,
    views: objects.views,
    rows,
    ddl: (object, database) => read(`${object}.sql`).replace(named, `${ident(database)}.`),
  };
}

/** Creates the release's tables with their rows and its views in `database` (which must not exist). */
export async function restoreRelease(
  ch: ClickHouseClient,
  release: PreviousRelease,
  database: string,
): Promise<void> {
  await ch.command({ query: `CREATE DATABASE ${ident(database)}` });
  for (const table of release.tables) {
    await ch.command({ query: release.ddl(table, database) });
    const lines = release.rows.get(table) ?? [];
    if (lines.length) await insertAsRelease(ch, database, table, lines);
  }
  for (const view of release.views) await ch.command({ query: release.ddl(view, database) });
}

/** Rows inserted as the release wrote them: its own column set, as text, with nothing else. */
export async function insertAsRelease(
  ch: ClickHouseClient,
  database: string,
  table: string,
  lines: string[],
): Promise<void> {
  await ch.command({
    query: `INSERT INTO ${ident(database)}.${ident(table)} FORMAT JSONEachRow\n${lines.join('\n')}`,
  });
}

/**
 * What the release does with its tables, each once: writes a row of each table in its own column set
 * and reads each view. Throws, naming the object, when one of them no longer works.
 */
export async function runReleaseStatements(
  ch: ClickHouseClient,
  release: PreviousRelease,
  database: string,
): Promise<void> {
  for (const table of release.tables) {
    // Rewriting a stored row changes nothing a reader sees (same key, same version).
    const [line] = release.rows.get(table) ?? [];
    if (line === undefined) continue;
    await insertAsRelease(ch, database, table, [line]).catch((e: Error) => {
      throw new Error(`${release.name}: its insert into ${table} fails: ${e.message}`);
    });
  }
  for (const view of release.views) {
    await ch
      .query({ query: `SELECT * FROM ${ident(database)}.${ident(view)} LIMIT 1`, format: 'JSONEachRow' })
      .then((rs) => rs.json())
      .catch((e: Error) => {
        throw new Error(`${release.name}: its read of ${view} fails: ${e.message}`);
      });
  }
}
