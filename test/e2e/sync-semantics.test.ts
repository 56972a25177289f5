// Sync semantics against the real parts (Temporal, ClickHouse, the local API server): the durable
// cursor, the incremental window, reconciliation of old history, reads that stay exact while the
// source changes under them, the mass-deletion guard, and a crash between loading and the cursor.
import { strict as assert } from 'assert';
import type { DatasetSize, Entry } from '../../api-server/types';
import type { ResourceConfig } from '../../domain/source-config';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import type { ResourceSummary } from '../../domain/types';
import { assertCurrentEqualsApi } from './assert-current';
import { edited, iso, newEntry } from './entry-edits';
import { Harness, rows, startHarness } from './harness';

const DAY = 86_400_000;
const year = new Date().getUTCFullYear();
const SIZE: DatasetSize = {
  customers: 30,
  projects: 60,
  absencesPerYear: 10,
  entries: 2500,
  users: 5,
  years: [year - 2, year - 1, year],
};

const byName = (summary: { resources: ResourceSummary[] }, name: string) => {
  const r = summary.resources.find((x) => x.resource === name);
  assert.ok(r, `no summary for ${name}`);
  return r;
};

describe('sync semantics: cursor, incremental window, reconciliation', function () {
  this.timeout(240_000);
  let h: Harness;
  let entries: ResourceConfig;

  before(async () => {
    h = await startHarness({ size: SIZE, maxItemsPerPage: 100 });
    const config = syncInputFromSettings(h.vars, parseSyncArgs([])).config;
    const found = config.resources.find((r) => r.name === 'entries');
    assert.ok(found);
    entries = found;
  });
  after(async () => h?.close());

  const cursorRow = async () =>
    (
      await rows<{ cursor: string; since: string }>(
        h.ch,
        `SELECT argMax(cursor, _version) AS cursor, argMax(window_since, _version) AS since ` +
          `FROM ${h.database}._sync_cursors WHERE resource = 'entries' GROUP BY resource`,
      )
    )[0];

  it('the first incremental run reads the whole history and records the cursor', async () => {
    const result = await h.sync();
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(result.summary.outcome, 'ok');
    const e = byName(result.summary, 'entries');
    assert.equal(e.rows, h.api.dataset.entries.length);
    assert.equal(e.window?.since, `${Math.min(...SIZE.years)}-01-01T00:00:00Z`);
    const newest = h.api.dataset.entries.reduce(
      (m, x) => (x.time_last_change > m ? x.time_last_change : m),
      '',
    );
    const cursor = await cursorRow();
    assert.equal(cursor.cursor, newest, 'the cursor is the newest time_last_change read');
    assert.equal(e.cursor, newest);
    await assertCurrentEqualsApi(h, entries);
  });

  it('an incremental run reads only its window and writes only what changed', async () => {
    const ds = h.api.dataset;
    const now = Date.now();
    const sorted = [...ds.entries].sort((a, b) => (a.time_since < b.time_since ? 1 : -1));
    const recent = sorted.filter((e) => Date.parse(e.time_since) > now - 20 * DAY && e.time_until !== null);
    assert.ok(recent.length >= 4, 'the dataset has recent entries');
    // Recent edits, additions and a deletion: what the incremental run must see.
    for (const e of recent.slice(0, 2)) ds.entries[ds.entries.indexOf(e)] = edited(e, `edited ${e.id}`);
    const goneRecent = recent[2];
    ds.entries.splice(ds.entries.indexOf(goneRecent), 1);
    ds.entries.push(
      newEntry(ds, 11, now - 2 * DAY),
      newEntry(ds, 12, now - 10 * DAY),
      newEntry(ds, 13, now - 25 * DAY),
    );
    // An edit and a deletion far older than the lookback: only a reconciliation sees them.
    const old = sorted.filter((e) => Date.parse(e.time_since) < now - 400 * DAY);
    const oldEdited = edited(old[0], 'edited long ago');
    ds.entries[ds.entries.indexOf(old[0])] = oldEdited;
    const oldGone = old[1];
    ds.entries.splice(ds.entries.indexOf(oldGone), 1);

    const from = h.api.requestLog.length;
    const result = await h.sync(['--resources', 'entries']);
    assert.ok(result.ok, result.ok ? '' : result.message);
    const e = byName(result.summary, 'entries');
    assert.equal(e.rows, 5, 'two edits and three additions written, nothing else');
    assert.equal(e.deleted, 1);
    const lookbackStart = Date.parse(e.window?.since ?? '');
    assert.ok(
      Math.abs(lookbackStart - (result.summary.startedAt - 31 * DAY)) < 5 * 60_000,
      `window starts ${e.window?.since}`,
    );
    const requests = h.api.requestLog.slice(from).filter((r) => r.path === '/v2/entries');
    assert.ok(requests.length > 0);
    for (const r of requests)
      assert.equal(r.query.time_since, e.window?.since, 'no request reads older history');
    assert.ok(requests.length <= 3, `${requests.length} requests for about 31 + 30 days of entries`);

    const current = await rows<{ id: number; text: string }>(
      h.ch,
      `SELECT id, text FROM ${h.database}.entries_current WHERE id IN (${[oldEdited.id, oldGone.id, goneRecent.id, 11, 12, 13].join(',')}) ORDER BY id`,
    );
    const byId = new Map(current.map((r) => [r.id, r.text]));
    assert.notEqual(byId.get(oldEdited.id), 'edited long ago', 'an old edit is outside the window');
    assert.ok(byId.has(oldGone.id), 'an old deletion is outside the window');
    assert.ok(!byId.has(goneRecent.id), 'the recent deletion is marked');
    for (const id of [11, 12, 13]) assert.equal(byId.get(id), `added ${id}`);
  });

  it('a reconciliation run catches an old edit and an old deletion, reading windows in parallel', async () => {
    const result = await h.sync(['--resources', 'entries', '--reconcile']);
    assert.ok(result.ok, result.ok ? '' : result.message);
    const e = byName(result.summary, 'entries');
    assert.equal(e.rows, 1, 'only the old edit is written');
    assert.equal(e.deleted, 1, 'the old deletion is marked');
    await assertCurrentEqualsApi(h, entries);
    // Windows are child workflows of the resource's workflow; several ran at the same time.
    const id = h.resourceId('entries');
    const spans: [number, number][] = [];
    for await (const wf of h.client.workflow.list({ query: `TaskQueue = '${h.taskQueue}'` })) {
      if (
        wf.workflowId.startsWith(`${id}/`) &&
        wf.startTime.getTime() >= Date.parse(iso(result.summary.startedAt))
      )
        spans.push([wf.startTime.getTime(), wf.closeTime?.getTime() ?? 0]);
    }
    assert.ok(spans.length >= 10, `${spans.length} windows for three years in 92-day slices`);
    const overlapping = spans.some(([s1, e1], i) => spans.some(([s2], j) => i !== j && s2 >= s1 && s2 < e1));
    assert.ok(overlapping, 'windows ran in parallel');
  });

  it('reads that change between page requests end exact, and the run says what it re-read', async () => {
    const ds = h.api.dataset;
    let changed = false;
    h.api.beforeServe = (path, query) => {
      if (changed || path !== '/v2/entries' || query.page !== '2') return;
      changed = true;
      // Three entries of the first page vanish and two new ones take lower ids: every later page shifts.
      const since = query.time_since;
      const until = query.time_until;
      const inWindow = ds.entries
        .filter((e) => e.time_since >= since && e.time_since <= until)
        .sort((a, b) => a.id - b.id);
      for (const e of inWindow.slice(0, 3)) ds.entries.splice(ds.entries.indexOf(e), 1);
      const mid = Date.parse(since) + (Date.parse(until) - Date.parse(since)) / 2;
      ds.entries.push(newEntry(ds, 21, mid), newEntry(ds, 22, mid + 3600_000));
    };
    try {
      const result = await h.sync(['--resources', 'entries', '--full-refresh']);
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.ok(changed, 'the source changed during the read');
      assert.equal(result.summary.outcome, 'ok');
      const e = byName(result.summary, 'entries');
      assert.ok(e.rereads.length >= 1, 'the changed window was read again');
      assert.match(e.rereads[0], /count_items changed|distinct ids|records for count_items/);
      assert.equal(e.deleted, 3);
      await assertCurrentEqualsApi(h, entries);
    } finally {
      h.api.beforeServe = undefined;
    }
  });

  it('an entry that moves into a window already read is not lost: counts are checked after all windows', async () => {
    const ds = h.api.dataset;
    const first = { since: `${Math.min(...SIZE.years)}-01-01T00:00:00Z` };
    let moved: Entry | undefined;
    let lastWindowSince: string | undefined;
    h.api.beforeServe = (path, query) => {
      if (path !== '/v2/entries' || moved) return;
      // The newest window is read last: when it starts, move one of its entries into the first window.
      if (lastWindowSince === undefined || query.time_since !== lastWindowSince || query.page !== '1') return;
      const candidates = ds.entries.filter((e) => e.time_since >= lastWindowSince! && e.time_until !== null);
      const e = candidates[0];
      moved = {
        ...e,
        time_since: '2024-01-10T09:00:00Z',
        time_until: '2024-01-10T10:00:00Z',
        time_last_change: iso(Date.now() - 1000),
      };
      if (e.type === 1) (moved as typeof e).duration = 3600;
      ds.entries[ds.entries.indexOf(e)] = moved;
    };
    try {
      const input = syncInputFromSettings(h.vars, parseSyncArgs(['--resources', 'entries', '--reconcile']));
      const inc = input.config.resources.find((r) => r.name === 'entries')?.endpoint.incremental_sync;
      assert.ok(inc);
      // The windows the run will plan: the last one starts at the start date plus whole slices.
      const end = Date.now() + 30 * DAY;
      let start = Date.parse(first.since);
      while (start + inc.slice_days * DAY <= end) start += inc.slice_days * DAY;
      lastWindowSince = iso(start);
      const result = await h.sync(['--resources', 'entries', '--reconcile']);
      assert.ok(result.ok, result.ok ? '' : result.message);
      assert.ok(moved, 'an entry moved while the windows were read');
      assert.equal(result.summary.outcome, 'ok');
      const e = byName(result.summary, 'entries');
      assert.equal(e.deleted, 0, 'the moved entry is not taken for deleted');
      assert.ok(
        e.rereads.some((r) => /count_items is \d+ now, \d+ when read; read again/.test(r)),
        e.rereads.join('; '),
      );
      await assertCurrentEqualsApi(h, entries);
    } finally {
      h.api.beforeServe = undefined;
    }
  });
});

describe('sync semantics: incomplete reads, the mass-deletion guard, a crash before the cursor', function () {
  this.timeout(240_000);
  let h: Harness;
  let resources: ResourceConfig[];
  const resource = (name: string) => {
    const r = resources.find((x) => x.name === name);
    assert.ok(r);
    return r;
  };

  before(async () => {
    h = await startHarness({ size: { ...SIZE, entries: 600 }, maxItemsPerPage: 50 });
    resources = syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources;
    const first = await h.sync();
    assert.ok(first.ok, first.ok ? '' : first.message);
  });
  after(async () => h?.close());

  it('a read that stops short marks nothing deleted and leaves the run degraded', async () => {
    const ds = h.api.dataset;
    const gone = ds.customers.splice(0, 2);
    // Page 1 declares two pages, then page 2 comes back empty: the read is incomplete.
    const emptyPage1 = JSON.stringify({
      paging: { items_per_page: 50, current_page: 1, count_pages: 2, count_items: 60 },
      customers: [],
    });
    h.api.injectFault({ status: 200, times: 3, pathPrefix: '/v2/customers', body: emptyPage1 });
    const result = await h.sync(['--resources', 'customers']);
    h.api.clearFaults();
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(result.summary.outcome, 'degraded');
    const c = byName(result.summary, 'customers');
    assert.equal(c.deleted, 0);
    assert.equal(c.degraded.length, 1);
    assert.match(c.degraded[0], /^customers: .*nothing marked deleted there/);
    const [{ n }] = await rows<{ n: number }>(
      h.ch,
      `SELECT count() AS n FROM ${h.database}.customers_current WHERE id IN (${gone.map((g) => g.id).join(',')})`,
    );
    assert.equal(n, 2, 'the vanished customers are still shown');

    const next = await h.sync(['--resources', 'customers']);
    assert.ok(next.ok, next.ok ? '' : next.message);
    assert.equal(next.summary.outcome, 'ok');
    assert.equal(byName(next.summary, 'customers').deleted, 2);
    await assertCurrentEqualsApi(h, resource('customers'));
  });

  it('the mass-deletion guard holds back a read that lost most rows, and can be overridden', async () => {
    const ds = h.api.dataset;
    const kept = ds.projects.filter((_, i) => i % 2 === 0);
    const lost = ds.projects.length - kept.length;
    ds.projects = kept;
    const held = await h.sync(['--resources', 'projects']);
    assert.ok(held.ok, held.ok ? '' : held.message);
    assert.equal(held.summary.outcome, 'degraded');
    const p = byName(held.summary, 'projects');
    assert.equal(p.deleted, 0);
    assert.equal(p.heldBack, lost);
    assert.ok(
      p.notes.some((n) => /held back \d+ deletions/.test(n) && /--allow-mass-delete/.test(n)),
      p.notes.join('; '),
    );

    // An empty answer (say, an API key that lost its rights) is held back whatever its size.
    const saved = ds.customers;
    ds.customers = [];
    const empty = await h.sync(['--resources', 'customers']);
    ds.customers = saved;
    assert.ok(empty.ok, empty.ok ? '' : empty.message);
    assert.equal(byName(empty.summary, 'customers').deleted, 0);
    assert.equal(byName(empty.summary, 'customers').heldBack, saved.length);

    const allowed = await h.sync(['--resources', 'projects', '--allow-mass-delete']);
    assert.ok(allowed.ok, allowed.ok ? '' : allowed.message);
    assert.equal(allowed.summary.outcome, 'ok');
    assert.equal(byName(allowed.summary, 'projects').deleted, lost);
    await assertCurrentEqualsApi(h, resource('projects'));
  });

  it('a failure between loading and recording the cursor neither skips nor duplicates', async () => {
    const ds = h.api.dataset;
    const db = h.database;
    const cursorBefore = await rows(h.ch, `SELECT * FROM ${db}._sync_cursors FINAL`);
    const recent = [...ds.entries].sort((a, b) => (a.time_since < b.time_since ? 1 : -1)).slice(3, 6);
    for (const e of recent) ds.entries[ds.entries.indexOf(e)] = edited(e, `before the crash ${e.id}`);
    // Writing the cursor fails until the table is back.
    await h.ch.command({ query: `RENAME TABLE ${db}._sync_cursors TO ${db}._sync_cursors_aside` });
    await h.ch.command({
      query: `CREATE VIEW ${db}._sync_cursors AS SELECT * FROM ${db}._sync_cursors_aside`,
    });
    try {
      // ClickHouse will not insert into a view: a statement error, so the cursor write fails at once
      // and the run ends failed after loading the edits, as a crash at that point would leave it.
      const failed = await h.sync(['--resources', 'entries']);
      assert.ok(!failed.ok, 'the run could not record the cursor');
      assert.match(failed.message, /_sync_cursors/);
    } finally {
      await h.ch.command({ query: `DROP TABLE ${db}._sync_cursors` });
      await h.ch.command({ query: `RENAME TABLE ${db}._sync_cursors_aside TO ${db}._sync_cursors` });
    }
    // The failed run loaded the edits but left the cursor where it was.
    const loaded = await rows<{ n: number }>(
      h.ch,
      `SELECT count() AS n FROM ${db}.entries_current WHERE text LIKE 'before the crash %'`,
    );
    assert.equal(loaded[0].n, 3);
    assert.deepEqual(await rows(h.ch, `SELECT * FROM ${db}._sync_cursors FINAL`), cursorBefore);

    const again = await h.sync(['--resources', 'entries']);
    assert.ok(again.ok, again.ok ? '' : again.message);
    const e = byName(again.summary, 'entries');
    assert.equal(e.rows, 0, 'what the failed run loaded is not written twice');
    assert.equal(e.deleted, 0);
    assert.ok(e.cursor && e.cursor >= recent[0].time_last_change, 'the cursor moved on');
    await assertCurrentEqualsApi(h, resource('entries'));
  });
});
