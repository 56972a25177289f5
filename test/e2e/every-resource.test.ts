// Every Clockodo list resource, in both presets (the v2 routes and today's v3/v4 routes), against the
// local API server: each lands field for field; an edit and a deletion in small resources are seen by
// the next run, each by its rule (read in full, per year, per window); and a resource added to the
// configuration file syncs with no code change.
import { strict as assert } from 'assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import * as path from 'path';
import type { DatasetSize } from '../../api-server/types';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { PROJECT_ROOT } from '../../config/settings';
import type { ResourceConfig } from '../../domain/source-config';
import type { ResourceSummary } from '../../domain/types';
import { assertCurrentEqualsApi } from './assert-current';
import { Harness, rows, startHarness } from './harness';

const year = new Date().getUTCFullYear();
const SIZE: DatasetSize = {
  customers: 30,
  projects: 130,
  absencesPerYear: 40,
  entries: 1500,
  users: 7,
  years: [year - 2, year - 1, year],
};
const PRESETS = ['clockodo-v2.json', 'clockodo-current.json'];

function okSummary(result: Awaited<ReturnType<Harness['sync']>>): Map<string, ResourceSummary> {
  assert.ok(result.ok, result.ok ? '' : result.message);
  assert.equal(result.summary.outcome, 'ok', JSON.stringify(result.summary));
  return new Map(result.summary.resources.map((r) => [r.resource, r]));
}

for (const preset of PRESETS) {
  describe(`every resource, preset ${preset}`, function () {
    this.timeout(240_000);
    let h: Harness;
    let resources: ResourceConfig[];

    before(async () => {
      // Pages of 25 at most: today's routes page every list, and a year of absences takes several pages.
      h = await startHarness({
        size: SIZE,
        maxItemsPerPage: 25,
        settings: { SOURCE_CONFIG: `config/sources/${preset}` },
      });
      resources = syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources;
    });
    after(async () => h?.close());

    it('lands every resource field for field, as the API serves it', async () => {
      // The unit tests pin the list of resources; today's API has four more than the docs' routes.
      assert.equal(resources.length, preset === 'clockodo-current.json' ? 20 : 16);
      const byName = okSummary(await h.sync());
      assert.deepEqual(
        [...byName.keys()],
        resources.map((r) => r.name),
      );
      for (const resource of resources) {
        assert.ok((byName.get(resource.name)?.rows ?? 0) > 0, `${resource.name}: the server serves some`);
        await assertCurrentEqualsApi(h, resource);
      }
      const pages = (name: string) => byName.get(name)?.pages ?? 0;
      // Unpaged lists are one request; paged ones follow the server's cap of 25.
      const paged = preset === 'clockodo-current.json';
      assert.equal(pages('services'), 1);
      assert.equal(pages('users'), 1);
      assert.equal(pages('target_hours'), 1);
      assert.equal(pages('nonbusiness_days'), SIZE.years.length, 'one request per year');
      assert.equal(pages('user_reports'), SIZE.years.length, 'one request per year');
      // A year partition with paging (today's absences) reads every page of every year.
      if (paged)
        assert.ok(pages('absences') >= 2 * SIZE.years.length, `absences: ${pages('absences')} pages`);
      else assert.equal(pages('absences'), SIZE.years.length);
      assert.ok(pages('work_times') > 4, `work_times: ${pages('work_times')} pages in windows of days`);
      // Per-year reports say their year in a column though the API's rows do not carry it.
      const years = await rows<{ year: number }>(
        h.ch,
        `SELECT DISTINCT year FROM ${h.database}.user_reports_current ORDER BY year`,
      );
      assert.deepEqual(
        years.map((y) => Number(y.year)),
        SIZE.years,
      );
    });

    it("answers the README's join of entries to services as the API's data does", async () => {
      const readme = readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
      const block = /hours per service[\s\S]*?```sql\n([\s\S]*?)```/.exec(readme);
      assert.ok(block, 'the README has the example');
      const sql = block[1].replace(/\b(entries_current|services_current)\b/g, `${h.database}.$1`);
      const got = await rows<{ service: string; hours: number }>(h.ch, sql);
      const ds = h.api.dataset;
      const seconds = new Map<number, number>();
      for (const e of ds.entries) {
        if (e.type === 1) seconds.set(e.services_id, (seconds.get(e.services_id) ?? 0) + (e.duration ?? 0));
      }
      // Hours to one decimal: ties may round either way (ClickHouse rounds floats half to even).
      const want = new Map(
        ds.services
          .filter((svc) => seconds.has(svc.id))
          .map((svc) => [svc.name, seconds.get(svc.id)! / 3600]),
      );
      assert.deepEqual(got.map((r) => r.service).sort(), [...want.keys()].sort());
      for (const r of got) assert.ok(Math.abs(Number(r.hours) - want.get(r.service)!) <= 0.05, r.service);
      const hours = got.map((r) => Number(r.hours));
      assert.deepEqual(
        hours,
        [...hours].sort((a, b) => b - a),
        'ordered by hours, most first',
      );
    });

    it('sees an edit and a deletion in small resources on the next run, each by its rule', async () => {
      const ds = h.api.dataset;
      // Read in full each run: services.
      const goneService = ds.services.splice(1, 1)[0];
      ds.services[0] = { ...ds.services[0], name: 'Beratung – geändert ✓' };
      // Read per year: a user report of this year.
      const reports = ds.user_reports[String(year)];
      const goneReport = reports.splice(reports.length - 1, 1)[0];
      reports[0] = { ...reports[0], sum_hours: reports[0].sum_hours + 5400 };
      // Read per window: the newest work time day, inside an incremental run's lookback.
      const newest = ds.work_times.reduce((a, b) => (a.date > b.date ? a : b));
      const ageDays = (Date.now() - Date.parse(`${newest.date}T00:00:00Z`)) / 86_400_000;
      assert.ok(ageDays < 25, `the newest work time day (${newest.date}) lies inside the lookback`);
      ds.work_times.splice(ds.work_times.indexOf(newest), 1);
      const edited = ds.work_times.reduce((a, b) => (a.date > b.date ? a : b));
      ds.work_times[ds.work_times.indexOf(edited)] = { ...edited, offset: edited.offset + 300 };

      const byName = okSummary(await h.sync());
      for (const [name, deleted, written] of [
        ['services', 1, 1],
        ['user_reports', 1, 1],
        ['work_times', 1, 1],
        ['teams', 0, 0],
        ['nonbusiness_days', 0, 0],
      ] as const) {
        assert.equal(byName.get(name)?.deleted, deleted, `${name}: deleted`);
        assert.equal(byName.get(name)?.rows, written, `${name}: rows written`);
      }
      for (const resource of resources) await assertCurrentEqualsApi(h, resource);
      // The deleted ones are kept, marked.
      const marked = await rows<{ n: string }>(
        h.ch,
        `SELECT count() AS n FROM ${h.database}.services FINAL WHERE id = ${goneService.id} AND _is_deleted = 1`,
      );
      assert.equal(Number(marked[0].n), 1);
      const report = await rows<{ _is_deleted: number }>(
        h.ch,
        `SELECT _is_deleted FROM ${h.database}.user_reports FINAL WHERE users_id = ${goneReport.users_id} AND year = ${year}`,
      );
      assert.deepEqual(report, [{ _is_deleted: 1 }]);
    });
  });
}

describe('a resource added to the configuration file', function () {
  this.timeout(180_000);
  let h: Harness;
  let dir: string;

  before(async () => {
    // The server caps pages at 40 items: a list read without a paginator gets only its first page.
    h = await startHarness({ size: SIZE, maxItemsPerPage: 40 });
    dir = mkdtempSync(path.join(tmpdir(), 'added-resource-'));
  });
  after(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('syncs on the next run, with no code change', async () => {
    const file = path.join(dir, 'source.json');
    const preset = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json'), 'utf8'),
    ) as { resources: { name: string }[] };
    const teams = preset.resources.find((r) => r.name === 'teams');
    assert.ok(teams);
    // First the configuration without teams, as if the engine had never heard of them.
    writeFileSync(
      file,
      JSON.stringify({ ...preset, resources: preset.resources.filter((r) => r !== teams) }),
    );
    h.vars.SOURCE_CONFIG = file;
    const before = okSummary(await h.sync(['--resources', 'services,users']));
    assert.deepEqual([...before.keys()], ['services', 'users']);
    const tables = await rows(h.ch, `EXISTS TABLE ${h.database}.teams`);
    assert.deepEqual(tables, [{ result: 0 }]);

    // Then the user adds it as it stands in the preset, and a resource of their own: the active
    // projects, a filtered list under a name the engine has never seen.
    const activeProjects = {
      name: 'active_projects',
      endpoint: {
        path: '/v2/projects',
        data_selector: 'projects',
        params: { 'filter[active]': 1 },
        paginator: {
          type: 'page_number',
          page_param: 'page',
          limit: 40,
          stop_condition: 'response.paging.count_pages == response.paging.current_page',
        },
      },
      columns: { id: 'int', name: 'string?', customers_id: 'int?', budget_money: 'float?' },
    };
    writeFileSync(file, JSON.stringify({ ...preset, resources: [...preset.resources, activeProjects] }));
    const added = okSummary(await h.sync(['--resources', 'teams,active_projects']));
    assert.equal(added.get('teams')?.rows, h.api.dataset.teams.length);
    const config = syncInputFromSettings(h.vars, parseSyncArgs([])).config;
    const resource = config.resources.find((r) => r.name === 'teams');
    assert.ok(resource);
    await assertCurrentEqualsApi(h, resource);

    const active = h.api.dataset.projects.filter((p) => p.active);
    assert.ok(active.length > 40 && active.length < h.api.dataset.projects.length, 'several pages, a subset');
    assert.equal(added.get('active_projects')?.pages, Math.ceil(active.length / 40));
    const stored = await rows<{
      id: number;
      name: string;
      customers_id: number;
      budget_money: number | null;
    }>(
      h.ch,
      `SELECT id, name, customers_id, budget_money FROM ${h.database}.active_projects_current ORDER BY id`,
    );
    assert.deepEqual(
      stored.map((r) => ({ ...r, id: Number(r.id), customers_id: Number(r.customers_id) })),
      [...active]
        .sort((a, b) => a.id - b.id)
        .map((p) => ({ id: p.id, name: p.name, customers_id: p.customers_id, budget_money: p.budget_money })),
    );
  });
  it('a list configured as unpaged that the server pages is kept as read, and the run says so', async () => {
    const file = path.join(dir, 'unpaged.json');
    const preset = JSON.parse(
      readFileSync(path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json'), 'utf8'),
    ) as { resources: unknown[] };
    const unpaged = {
      name: 'projects_unpaged',
      endpoint: { path: '/v2/projects', data_selector: 'projects' },
      columns: { id: 'int', name: 'string?' },
    };
    writeFileSync(file, JSON.stringify({ ...preset, resources: [...preset.resources, unpaged] }));
    h.vars.SOURCE_CONFIG = file;
    const result = await h.sync(['--resources', 'projects_unpaged']);
    assert.ok(result.ok, result.ok ? '' : result.message);
    // The server answered its first page of 40: the rest was not read, so nothing
    // may be marked deleted, and the run is degraded, saying why.
    assert.equal(result.summary.outcome, 'degraded');
    const [r] = result.summary.resources;
    assert.ok(
      r.rows > 0 && r.rows < h.api.dataset.projects.length,
      `${r.rows} of ${h.api.dataset.projects.length}`,
    );
    assert.equal(r.deleted, 0);
    assert.match(
      r.degraded.join('\n'),
      /the server pages this list \(paging\.count_pages is \d+\) but the configuration has no paginator/,
    );
  });
});
