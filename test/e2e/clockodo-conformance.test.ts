// The API as Clockodo's docs and SDK describe it, against the local API server modelling each quirk:
// recurring nonbusiness days keep their id every year, the docs' carry routes send no id, work time
// days carry their intervals, `date_until` may be read either way; and what the engine does when a key
// does not identify a record: a run says so and keeps every record, an old table is built anew.
import { strict as assert } from 'assert';
import { execFile } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import type { DatasetSize, WorkTimeDay } from '../../api-server/types';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { PROJECT_ROOT } from '../../config/settings';
import type { ResourceConfig } from '../../domain/source-config';
import type { ResourceSummary, SyncSummary } from '../../domain/types';
import { assertCurrentEqualsApi } from './assert-current';
import { servedRecords } from './compare';
import { Harness, rows, startHarness } from './harness';

const year = new Date().getUTCFullYear();
const FIVE_YEARS: DatasetSize = {
  customers: 15,
  projects: 50,
  absencesPerYear: 15,
  entries: 1200,
  users: 6,
  years: [year - 4, year - 3, year - 2, year - 1, year],
};
const SMALL: DatasetSize = { ...FIVE_YEARS, entries: 600, years: [year - 2, year - 1, year] };
const PRESETS = ['clockodo-v2.json', 'clockodo-current.json'];

type Outcome = Awaited<ReturnType<Harness['sync']>>;

function summaryOf(result: Outcome): SyncSummary {
  assert.ok(result.ok, result.ok ? '' : result.message);
  return result.summary;
}

function byName(summary: SyncSummary): Map<string, ResourceSummary> {
  return new Map(summary.resources.map((r) => [r.resource, r]));
}

function resourcesOf(h: Harness): Map<string, ResourceConfig> {
  return new Map(syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources.map((r) => [r.name, r]));
}

/** A preset with some resources changed, written where SOURCE_CONFIG can name it. */
function presetFile(
  dir: string,
  preset: string,
  edit: (resources: Record<string, unknown>[]) => void,
): string {
  const raw = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'config/sources', preset), 'utf8')) as {
    resources: Record<string, unknown>[];
  };
  edit(raw.resources);
  const file = path.join(
    dir,
    `${path.basename(preset, '.json')}-${Math.random().toString(36).slice(2)}.json`,
  );
  writeFileSync(file, JSON.stringify(raw));
  return file;
}

for (const preset of PRESETS) {
  describe(`Clockodo's quirks, preset ${preset}`, function () {
    this.timeout(240_000);
    let h: Harness;

    before(async () => {
      h = await startHarness({
        size: FIVE_YEARS,
        maxItemsPerPage: 25,
        settings: { SOURCE_CONFIG: `config/sources/${preset}` },
      });
    });
    after(async () => h?.close());

    it('lands five years of nonbusiness days, whose recurring ones keep their id every year', async () => {
      const days = h.api.dataset.nonbusiness_days;
      const ids = Object.values(days).map((list) => new Set(list.map((d) => d.id)));
      const everyYear = [...ids[0]].filter((id) => ids.every((s) => s.has(id)));
      assert.ok(everyYear.length >= 10, `${everyYear.length} ids recur in all five years`);

      const summary = summaryOf(await h.sync());
      assert.equal(
        summary.outcome,
        'ok',
        JSON.stringify(summary.resources.filter((r) => !r.ok || r.degraded.length)),
      );
      const resources = resourcesOf(h);
      const nonbusiness = resources.get('nonbusiness_days')!;
      const served = servedRecords(h.api.dataset, nonbusiness);
      assert.equal(served.length, Object.values(days).flat().length);
      const [{ n }] = await rows<{ n: number }>(
        h.ch,
        `SELECT count() AS n FROM ${h.database}.nonbusiness_days_current`,
      );
      assert.equal(Number(n), served.length, 'every day of every year');
      await assertCurrentEqualsApi(h, nonbusiness);
      for (const name of ['holidays_carry', 'overtime_carry', 'surcharges', 'work_times']) {
        await assertCurrentEqualsApi(h, resources.get(name)!);
      }
    });

    it("keeps carries whether or not the route sends an id (the docs' routes do not)", async () => {
      const [carry] = await rows<{ n: number; without: number }>(
        h.ch,
        `SELECT count() AS n, countIf(id IS NULL) AS without FROM ${h.database}.holidays_carry_current`,
      );
      assert.equal(Number(carry.n), h.api.dataset.holidays_carry.length);
      const docsRoute = preset === 'clockodo-v2.json';
      assert.equal(Number(carry.without), docsRoute ? Number(carry.n) : 0);
    });

    it("answers a work day's intervals as columns (ARRAY JOIN), and reads nothing before 2023-08-21", async () => {
      const got = await rows<{ users_id: number; date: string; since: string; until: string | null }>(
        h.ch,
        `SELECT users_id, toString(date) AS date, toString(intervals.time_since) AS since, ` +
          `toString(intervals.time_until) AS until FROM ${h.database}.work_times_current ARRAY JOIN intervals ` +
          'ORDER BY users_id, date, since',
      );
      const iso = (s: string | null) => (s === null || s === '\\N' ? null : `${s.replace(' ', 'T')}Z`);
      const want = h.api.dataset.work_times.flatMap((d: WorkTimeDay) =>
        d.intervals.map((i) => ({
          users_id: d.users_id,
          date: d.date,
          since: i.time_since,
          until: i.time_until,
        })),
      );
      const key = (r: { users_id: number; date: string; since: string }) =>
        `${r.users_id} ${r.date} ${r.since}`;
      assert.ok(want.length > 100, `${want.length} intervals`);
      assert.deepEqual(
        got.map((r) => ({
          users_id: Number(r.users_id),
          date: r.date,
          since: iso(r.since)!,
          until: iso(r.until),
        })),
        [...want].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0)),
      );
      const starts = h.api.requestLog
        .filter((r) => r.path === '/v2/workTimes')
        .map((r) => r.query.date_since)
        .sort();
      assert.ok(starts.length > 0);
      assert.equal(starts[0], '2023-08-21', 'the first window starts where the docs say data is valid');
    });

    it('writes nothing on a second run when nothing changed, for every resource', async () => {
      const summary = summaryOf(await h.sync());
      assert.equal(summary.outcome, 'ok');
      for (const r of summary.resources) {
        assert.equal(r.rows, 0, `${r.resource}: ${r.rows} rows written`);
        assert.equal(r.deleted, 0, `${r.resource}: ${r.deleted} deleted`);
      }
      assert.equal(summary.resources.length, preset === 'clockodo-current.json' ? 20 : 16);
    });
  });
}

describe('work times when the API reads date_until as exclusive', function () {
  this.timeout(180_000);
  let h: Harness;

  before(async () => {
    h = await startHarness({
      size: SMALL,
      maxItemsPerPage: 25,
      workTimesUntil: 'exclusive',
      settings: { SOURCE_CONFIG: 'config/sources/clockodo-current.json' },
    });
  });
  after(async () => h?.close());

  it('lands every day, the last day of each window too, and a reconciliation marks none deleted', async () => {
    const resource = resourcesOf(h).get('work_times')!;
    const first = byName(summaryOf(await h.sync(['--resources', 'work_times'])));
    assert.equal(first.get('work_times')?.degraded.length, 0);
    await assertCurrentEqualsApi(h, resource);
    const again = byName(summaryOf(await h.sync(['--resources', 'work_times', '--reconcile'])));
    assert.equal(again.get('work_times')?.deleted, 0);
    assert.equal(again.get('work_times')?.rows, 0);
    await assertCurrentEqualsApi(h, resource);
  });
});

describe('a key that several different records share', function () {
  this.timeout(180_000);
  let h: Harness;

  before(async () => {
    h = await startHarness({ size: SMALL, maxItemsPerPage: 25 });
  });
  after(async () => h?.close());

  it('ends the run degraded, naming the resource and the key, with every record kept', async () => {
    const ds = h.api.dataset;
    // In one unpaged read, and across the pages of a paged one (the copy lands on a later page).
    const service = ds.services[0];
    ds.services.push({ ...service, name: 'Zweite Leistung, gleiche ID' });
    // Lists go by id: the 25th project ends page 1, and its copy begins page 2.
    const project = [...ds.projects].sort((a, b) => a.id - b.id)[24];
    ds.projects.push({ ...project, name: 'Projekt mit fremder ID' });
    assert.ok(ds.projects.length > 25, 'projects take several pages');

    const summary = summaryOf(await h.sync(['--resources', 'services,projects,teams']));
    assert.equal(summary.outcome, 'degraded');
    const r = byName(summary);
    assert.match(
      r.get('services')!.degraded.join('\n'),
      new RegExp(`key collision: 1 key .*id ${service.id}: 2 records`),
    );
    assert.match(
      r.get('projects')!.degraded.join('\n'),
      new RegExp(`id ${project.id}: 2 records \\(the list page 1, the list page 2\\)`),
    );
    assert.deepEqual(r.get('teams')!.degraded, []);
    for (const [name, id, names] of [
      ['services', service.id, [service.name, 'Zweite Leistung, gleiche ID']],
      ['projects', project.id, [project.name, 'Projekt mit fremder ID']],
    ] as const) {
      const kept = await rows<{ raw: string; reason: string }>(
        h.ch,
        `SELECT raw, reason FROM ${h.database}._quarantine FINAL WHERE resource = '${name}'`,
      );
      assert.deepEqual(
        kept.map((q) => (JSON.parse(q.raw) as { name: string }).name).sort(),
        [...names].sort(),
        `${name}: both records in quarantine`,
      );
      assert.ok(
        kept.every((q) => q.reason.startsWith(`key collision: id ${id} `)),
        kept[0]?.reason,
      );
      const table = await rows<{ n: number }>(
        h.ch,
        `SELECT count() AS n FROM ${h.database}.${name}_current WHERE id = ${id}`,
      );
      assert.equal(Number(table[0].n), 1, `${name}: one row for the key`);
      assert.equal(r.get(name)!.quarantined, 2);
    }
  });
});

describe('tables keyed as before this release', function () {
  this.timeout(240_000);
  let h: Harness;
  let dir: string;

  before(async () => {
    h = await startHarness({ size: SMALL, maxItemsPerPage: 25 });
    dir = mkdtempSync(path.join(tmpdir(), 'old-keys-'));
  });
  after(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** start-sync as a user runs it, with this harness's settings (the in-process worker serves it). */
  function startSync(args: string[]): Promise<{ code: number; out: string }> {
    return new Promise((resolve) => {
      execFile(
        path.join(PROJECT_ROOT, 'node_modules/.bin/ts-node'),
        ['--transpile-only', 'client/start-sync.ts', ...args],
        { cwd: PROJECT_ROOT, env: { ...process.env, ...h.vars } },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, out: stdout + stderr }),
      );
    });
  }

  it('were silent before; now a quarantining run exits 4 naming the record and why, and a collision degrades', async () => {
    // The release before keyed carries and nonbusiness days by id: the docs' routes send carries
    // without one, and recurring nonbusiness days repeat theirs every year.
    h.vars.SOURCE_CONFIG = presetFile(dir, 'clockodo-v2.json', (resources) => {
      for (const r of resources) {
        if (r.name !== 'holidays_carry' && r.name !== 'nonbusiness_days') continue;
        r.primary_key = ['id'];
        (r.columns as Record<string, string>).id = 'int';
      }
    });
    const carry = await startSync(['--resources', 'holidays_carry']);
    assert.equal(carry.code, 4, carry.out);
    assert.match(carry.out, /holidays_carry: DEGRADED \d+ records quarantined/);
    assert.match(
      carry.out,
      /primary key "id" is missing or not a non-negative integer: \{"users_id":\d+,"year":\d{4}/,
    );
    const [run] = await rows<{ outcome: string; rows_quarantined: number; error: string }>(
      h.ch,
      `SELECT outcome, rows_quarantined, error FROM ${h.database}.sync_runs FINAL WHERE resource = 'holidays_carry'`,
    );
    assert.equal(run.outcome, 'degraded');
    assert.equal(Number(run.rows_quarantined), h.api.dataset.holidays_carry.length);
    assert.match(
      run.error,
      /records quarantined \(kept in _quarantine, not in the table\): primary key "id"/,
    );

    const result = await h.sync(['--resources', 'nonbusiness_days']);
    const days = byName(summaryOf(result)).get('nonbusiness_days')!;
    assert.equal(summaryOf(result).outcome, 'degraded');
    assert.match(days.degraded.join('\n'), /key collision: \d+ keys shared by different records/);
    const [{ n }] = await rows<{ n: number }>(
      h.ch,
      `SELECT count() AS n FROM ${h.database}._quarantine FINAL WHERE resource = 'nonbusiness_days'`,
    );
    assert.ok(Number(n) >= 2 * 10, `${n} recurring days kept in quarantine`);
  });

  it('are built anew from their stored records by the next run, which is then exact', async () => {
    h.vars.SOURCE_CONFIG = 'config/sources/clockodo-v2.json';
    const summary = summaryOf(await h.sync(['--resources', 'holidays_carry,nonbusiness_days']));
    assert.equal(summary.outcome, 'ok', JSON.stringify(summary.resources.map((r) => r.degraded)));
    const r = byName(summary);
    for (const name of ['holidays_carry', 'nonbusiness_days']) {
      assert.match(r.get(name)!.notes.join('\n'), new RegExp(`table ${name} built anew, keyed by \\(`));
    }
    const resources = resourcesOf(h);
    await assertCurrentEqualsApi(h, resources.get('holidays_carry')!);
    await assertCurrentEqualsApi(h, resources.get('nonbusiness_days')!);
    const [{ key }] = await rows<{ key: string }>(
      h.ch,
      `SELECT sorting_key AS key FROM system.tables WHERE database = '${h.database}' AND name = 'nonbusiness_days'`,
    );
    assert.equal(key, '_key');

    const again = byName(summaryOf(await h.sync(['--resources', 'holidays_carry,nonbusiness_days'])));
    assert.equal(again.get('holidays_carry')?.rows, 0);
    assert.equal(again.get('nonbusiness_days')?.rows, 0);
    assert.deepEqual(again.get('nonbusiness_days')?.notes, []);
  });
});
