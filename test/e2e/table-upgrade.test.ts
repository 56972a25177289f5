// Upgrade: the tables, views and state tables an earlier release left (kept as fixtures, see
// scripts/previous-release.sh) are upgraded in place by this release's first incremental run, with
// no full re-read, and the result is exact. A migration cut short (a failed ALTER, a worker gone
// during a rebuild or a view's swap) leaves them usable by the release before, and the next run
// finishes it.
import { strict as assert } from 'assert';
import type { ClickHouseClient } from '@clickhouse/client';
import { prepareDestination } from '../../activities/prepare-destination';
import { rebuildReasons, storedTable } from '../../clickhouse/schema';
import { prepareResourceTable } from '../../clickhouse/table-rebuild';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import type { ResourceConfig } from '../../domain/source-config';
import type { ResourceSummary } from '../../domain/types';
import { assertCurrentEqualsApi } from './assert-current';
import { edited, newEntry } from './entry-edits';
import { Harness, rows, startHarness } from './harness';
import {
  FIXTURE_DATASET,
  PreviousRelease,
  previousRelease,
  restoreRelease,
  runReleaseStatements,
} from './previous-release';

const DAY = 86_400_000;

const RELEASES = [
  // The release before this change: the same shape, so the upgrade must change nothing.
  'f676e3f',
  // An older one: _sync_seen without hash and page, sync_runs without rows_quarantined, surcharges
  // and work_times without their nested columns, user_reports typed Float64 (built anew), and no
  // tables yet for nonbusiness days and carries.
  'b57a2fd-parent',
];

/** The worker's ClickHouse client, recording its commands; `dieAt` makes it fail like a worker gone. */
class CommandLog {
  commands: string[] = [];
  /** From the first command matching this (after `skip` matches) on, every statement fails. */
  dieAt?: { match: RegExp; skip: number };
  dead = false;

  wrap(ch: ClickHouseClient): ClickHouseClient {
    const gone = () => Promise.reject(new Error('the worker is gone (injected)'));
    const command: ClickHouseClient['command'] = (params) => {
      if (!this.dead && this.dieAt?.match.test(params.query) && this.dieAt.skip-- <= 0) this.dead = true;
      if (this.dead) return gone();
      this.commands.push(params.query);
      return ch.command(params);
    };
    const query: ClickHouseClient['query'] = (params) => (this.dead ? gone() : ch.query(params));
    const insert: ClickHouseClient['insert'] = (params) => (this.dead ? gone() : ch.insert(params));
    const exec: ClickHouseClient['exec'] = (params) => (this.dead ? gone() : ch.exec(params));
    return Object.assign(Object.create(ch) as ClickHouseClient, { command, query, insert, exec });
  }
}

async function startFixtureHarness(log?: CommandLog): Promise<{ h: Harness; resources: ResourceConfig[] }> {
  const h = await startHarness({
    size: FIXTURE_DATASET.size,
    seed: FIXTURE_DATASET.seed,
    generatedAt: new Date(FIXTURE_DATASET.generatedAt),
    maxItemsPerPage: FIXTURE_DATASET.maxItemsPerPage,
    wrapClickHouse: log && ((ch) => log.wrap(ch)),
  });
  return { h, resources: syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources };
}

/** Every column of every table and view of a database: `table.column type`. */
async function shape(ch: ClickHouseClient, database: string): Promise<string[]> {
  const cols = await rows<{ table: string; name: string; type: string }>(
    ch,
    `SELECT table, name, type FROM system.columns WHERE database = '${database}'`,
  );
  return cols.map((c) => `${c.table}.${c.name} ${c.type}`).sort();
}

const summaryOf = (resources: ResourceSummary[], name: string) => {
  const r = resources.find((x) => x.resource === name);
  assert.ok(r, `no summary for ${name}`);
  return r;
};

/** What the release's full sync read of a resource, from its sync_runs rows. */
function fullReadPages(release: PreviousRelease, resource: string): number {
  const runs = (release.rows.get('sync_runs') ?? []).map(
    (l) => JSON.parse(l) as { resource: string; kind: string; pages: number },
  );
  const full = runs.find((r) => r.resource === resource && r.kind === 'full_refresh');
  assert.ok(full, `the fixture's full sync read ${resource}`);
  return Number(full.pages);
}

/** The cursor the release stored last for a resource. */
function storedCursor(release: PreviousRelease, resource: string): string {
  const states = (release.rows.get('_sync_cursors') ?? [])
    .map((l) => JSON.parse(l) as { resource: string; cursor: string; _version: string })
    .filter((c) => c.resource === resource)
    .sort((a, b) => Number(a._version) - Number(b._version));
  assert.ok(states.length, `the fixture holds a cursor of ${resource}`);
  return states[states.length - 1].cursor;
}

for (const name of RELEASES) {
  describe(`table upgrade from ${name}`, function () {
    this.timeout(240_000);
    const release = previousRelease(name);
    const log = new CommandLog();
    let h: Harness;
    let resources: ResourceConfig[];

    before(async () => {
      ({ h, resources } = await startFixtureHarness(log));
      await restoreRelease(h.ch, release, h.database);
    });
    after(async () => h?.close());

    it('upgrades tables, views and state in place, reads only the window since the cursor, and is exact', async () => {
      const ds = h.api.dataset;
      // What the upgrade must build anew: tables whose key or column types no longer fit.
      const rebuilt: string[] = [];
      for (const r of resources.filter((x) => release.tables.includes(x.name))) {
        const stored = await storedTable(h.ch, h.database, r.name);
        if (stored && rebuildReasons(r, stored).length) rebuilt.push(r.name);
      }
      // Changes since the release's last run: a new entry, an edited and a deleted one (the newest,
      // inside any window from the stored cursor), and an edited customer (a list read in full).
      const [newest, next] = [...ds.entries].sort((a, b) => (a.time_since < b.time_since ? 1 : -1));
      ds.entries[ds.entries.indexOf(newest)] = edited(newest, 'edited after the release');
      ds.entries.splice(ds.entries.indexOf(next), 1);
      ds.entries.push(newEntry(ds, 11, Date.now() - DAY));
      ds.customers[0] = { ...ds.customers[0], name: 'renamed after the release' };

      const from = h.api.requestLog.length;
      const result = await h.sync();
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.equal(result.summary.outcome, 'ok', JSON.stringify(result.summary));
      for (const r of resources) await assertCurrentEqualsApi(h, r);

      // In place: no table of the release dropped or renamed, but for the ones built anew.
      const fixtureTable = (sql: string) =>
        release.tables.find((t) => new RegExp(`\\.\`?${t}\`?( |$)`).test(sql));
      const touched = log.commands
        .filter((c) => /^(DROP TABLE|RENAME TABLE)/.test(c))
        .map((c) => fixtureTable(c.split(' TO ')[0]))
        .filter((t): t is string => t !== undefined);
      assert.deepEqual([...new Set(touched)].sort(), rebuilt.sort(), 'tables dropped or renamed');
      if (name === 'b57a2fd-parent') assert.deepEqual(rebuilt, ['user_reports']);

      // The release's rows stay where this run wrote nothing (a rebuild and a refill keep each row's run
      // and version); this run wrote only what it reports.
      const syncId = result.summary.syncId;
      for (const r of resources.filter((x) => release.tables.includes(x.name))) {
        const s = summaryOf(result.summary.resources, r.name);
        const keys = async (op: '=' | '!=') =>
          (
            await rows<{ k: string }>(
              h.ch,
              `SELECT toString(${r.key_column}) AS k FROM ${h.database}.${r.name} FINAL WHERE _run_id ${op} '${syncId}'`,
            )
          ).map((x) => x.k);
        const mine = await keys('=');
        assert.equal(mine.length, s.rows + s.deleted, `${r.name}: rows this run wrote`);
        const released = (release.rows.get(r.name) ?? []).map((l) =>
          String((JSON.parse(l) as Record<string, unknown>)[r.key_column]),
        );
        assert.deepEqual(
          (await keys('!=')).sort(),
          [...new Set(released)].filter((k) => !mine.includes(k)).sort(),
          `${r.name}: the release's rows`,
        );
      }

      // No full re-read: the windowed resources read from the stored cursor (less its margin), or from
      // the lookback, whichever is earlier, never from the start date.
      for (const windowed of ['entries', 'work_times']) {
        const s = summaryOf(result.summary.resources, windowed);
        const since = Date.parse(s.window?.since ?? '');
        const fromCursor = Date.parse(storedCursor(release, windowed)) - DAY;
        const fromLookback = result.summary.startedAt - 31 * DAY;
        // Whole days for a window of dates (work_times); the run's start a moment after startedAt.
        const expected = Math.min(fromCursor, fromLookback);
        assert.ok(
          since > expected - DAY && since < expected + 5 * 60_000,
          `${windowed}: window from ${s.window?.since}`,
        );
        assert.ok(since > Date.parse(`${Math.min(...FIXTURE_DATASET.size.years)}-01-01T00:00:00Z`));
        assert.ok(s.pages < fullReadPages(release, windowed), `${windowed}: ${s.pages} pages`);
      }
      const entries = resources.find((r) => r.name === 'entries');
      assert.ok(entries);
      const requests = h.api.requestLog.slice(from).filter((r) => r.path === entries.endpoint.path);
      const window = summaryOf(result.summary.resources, 'entries').window;
      for (const r of requests) assert.equal(r.query.time_since, window?.since, 'no older history read');
      const e = summaryOf(result.summary.resources, 'entries');
      assert.equal(e.deleted, 1, 'the deleted entry');
      assert.ok(e.records < ds.entries.length / 4, `${e.records} entries read of ${ds.entries.length}`);

      // The current release's shape: the same tables, views and columns as a database it makes anew.
      const fresh = `${h.database}_fresh`;
      try {
        await prepareDestination({ ch: h.ch, database: fresh }, resources);
        assert.deepEqual(await shape(h.ch, h.database), await shape(h.ch, fresh));
      } finally {
        await h.ch.command({ query: `DROP DATABASE IF EXISTS ${fresh}` });
      }
    });
  });
}

describe('a table upgrade cut short', function () {
  this.timeout(240_000);
  const release = previousRelease('b57a2fd-parent');
  const log = new CommandLog();
  let h: Harness;
  let resources: ResourceConfig[];
  let worker: ClickHouseClient;

  before(async () => {
    ({ h, resources } = await startFixtureHarness());
    await restoreRelease(h.ch, release, h.database);
    worker = log.wrap(h.ch);
  });
  after(async () => h?.close());

  // Each stops the upgrade at another step; the next goes on from where the last one stopped.
  const prepare = () => prepareDestination({ ch: worker, database: h.database }, resources);
  const prepareTable = (n: string) => () =>
    prepareResourceTable({ ch: worker, database: h.database }, byName(n));
  const CUT_SHORT: { what: string; match: RegExp; skip?: number; step: () => Promise<unknown> }[] = [
    {
      what: 'between two ALTERs of one table',
      match: /^ALTER TABLE \S+\.`surcharges` ADD/,
      skip: 3,
      step: prepare,
    },
    {
      what: 'after the rows were mapped again, before the view is made anew',
      match: /^CREATE VIEW IF NOT EXISTS \S+\.`surcharges_current__rebuild_/,
      step: prepareTable('surcharges'),
    },
    {
      what: "in a view's swap, its new view made",
      match: /^RENAME TABLE \S+\.`surcharges_current`/,
      step: prepareTable('surcharges'),
    },
    {
      what: 'in a rebuild, its rows copied, before the swap',
      match: /^RENAME TABLE \S+\.`user_reports`/,
      step: prepareTable('user_reports'),
    },
  ];
  const byName = (n: string) => {
    const r = resources.find((x) => x.name === n);
    assert.ok(r);
    return r;
  };

  for (const cut of CUT_SHORT) {
    it(`${cut.what}: the release before still writes and reads its tables`, async () => {
      log.dead = false;
      log.dieAt = { match: cut.match, skip: cut.skip ?? 0 };
      await assert.rejects(cut.step(), /the worker is gone/);
      assert.ok(log.dead, 'the upgrade stopped at that step');
      await runReleaseStatements(h.ch, release, h.database);
    });
  }

  it('the next run finishes the upgrade, and the result is exact', async () => {
    log.dead = false;
    log.dieAt = undefined;
    const result = await h.sync();
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(result.summary.outcome, 'ok', JSON.stringify(result.summary));
    for (const r of resources) await assertCurrentEqualsApi(h, r);
    const left = await rows<{ name: string }>(
      h.ch,
      `SELECT name FROM system.tables WHERE database = '${h.database}' AND position(name, '__') > 0`,
    );
    assert.deepEqual(left, [], 'nothing a cut-short step left behind');
  });
});
