// The Temporal Web UI in a real browser (Debian's chromium, driven by playwright-core): a run a
// schedule started is found in the workflow list by its schedule, and its page shows what an
// operator looks for: Completed, the summary the schedule set, and the search attributes to filter
// by. The run's page is saved as a screenshot (WEB_UI_SCREENSHOT, default .services/web-ui.png),
// which is how docs/web-ui.png in docs/operations.md is made.
import { strict as assert } from 'assert';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { applySchedules, scheduleDefs } from '../../client/schedules';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import type { SyncSummary } from '../../domain/types';
import { columnStyle, launchChromium, poll, shoot, Shot, stackShots, textWhen, webUiUrl } from './browser';
import { Harness, rows, startHarness } from './harness';

const year = new Date().getUTCFullYear();
const SCREENSHOT = path.resolve(__dirname, '../..', process.env.WEB_UI_SCREENSHOT ?? '.services/web-ui.png');

describe('Web UI (chromium)', function () {
  // Chromium on 2 cores takes seconds to start, and every page of the UI loads a large bundle.
  this.timeout(180_000);
  let h: Harness;
  let browser: Browser | undefined;
  let page: Page;
  let scheduleIds: string[] = [];
  let scheduleId: string;
  let workflowId: string;
  let summary: SyncSummary;
  const shots: Shot[] = [];

  before(async () => {
    // First, so a machine without chromium fails at once, naming the install script.
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(30_000);
    h = await startHarness({
      size: {
        customers: 12,
        projects: 20,
        absencesPerYear: 4,
        entries: 150,
        users: 3,
        years: [year - 2, year - 1, year],
      },
      relativeYears: true,
    });
    // Hourly, so nothing fires by itself: the one run is the one triggered here.
    const vars = {
      ...h.vars,
      SCHEDULE_ID_PREFIX: `clockodo-${h.taskQueue}`,
      SCHEDULE_INCREMENTAL: 'every 1h',
    };
    const defs = scheduleDefs(vars);
    scheduleIds = defs.map((d) => d.id);
    scheduleId = defs[0].id;
    await applySchedules(h.client, vars);
    await h.client.schedule.getHandle(scheduleId).trigger();
    workflowId = await finishedRunOf(h, scheduleId);
    summary = (await h.client.workflow.getHandle(workflowId).result()) as SyncSummary;
    assert.equal(summary.outcome, 'ok');
  });

  after(async () => {
    try {
      if (browser && page) {
        // Always a screenshot: the run's page or, when a test failed before taking it, what the browser showed.
        if (shots.length < 2) shots.push({ png: await page.screenshot({ fullPage: true }), x: 0 });
        const strip = await columnStyle(page.getByTestId('navigation-header')).catch(() => '');
        await stackShots(browser, shots, SCREENSHOT, strip);
      }
    } finally {
      await browser?.close();
      for (const id of scheduleIds)
        await h?.client.schedule
          .getHandle(id)
          .delete()
          .catch(() => undefined);
      await h?.close();
    }
  });

  it('the workflow list, filtered by the schedule, shows the run as completed and opens it', async () => {
    await page.goto(webUiUrl('/namespaces/clockodo-e2e/workflows'));
    const table = page.getByRole('table', { name: 'Workflows' });
    await table.waitFor();
    // The raw query, as an operator would type it.
    await page.getByTestId('toggle-manual-query').click();
    await page
      .getByRole('searchbox', { name: 'Enter a query' })
      .fill(`TemporalScheduledById = "${scheduleId}"`);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForURL(/[?&]query=/);
    // The namespace holds many runs (this one's children, other tests'): the filter leaves one.
    const bodyRows = table.getByRole('rowgroup').nth(1).getByRole('row');
    await poll(
      () => bodyRows.count(),
      (n) => n === 1,
      'one row, the run of the schedule',
    );
    const row = bodyRows.first();
    const link = row.getByRole('link', { name: workflowId, exact: true });
    assert.equal(await link.count(), 1, `the row is ${workflowId}: ${await row.innerText()}`);
    assert.equal(await row.getByRole('cell', { name: 'Completed', exact: true }).count(), 1);
    assert.match(await row.innerText(), /syncWorkflow/);

    await link.click();
    // The heading reads "Copy <id>": it is a copy button too.
    await page.getByRole('heading', { level: 1, name: workflowId }).waitFor();
    assert.match(page.url(), new RegExp(`/workflows/${escape(encodeURIComponent(workflowId))}/`));
    const status = page.getByRole('main').getByRole('status').first();
    assert.equal((await status.textContent())?.trim(), 'Completed');
    // "Scheduled By" names and links the schedule.
    const scheduledBy = page.getByRole('link', { name: scheduleId, exact: true });
    assert.equal(
      await scheduledBy.getAttribute('href'),
      `/namespaces/clockodo-e2e/schedules/${encodeURIComponent(scheduleId)}`,
    );
  });

  it('User Metadata shows the summary the schedule set and what each resource did', async () => {
    await page.getByRole('tab', { name: 'User Metadata' }).click();
    const metadata = page.getByTestId('user-metadata');
    await metadata.waitFor();
    // The summary is markdown, rendered in a frame of its own.
    const text = await textWhen(
      page.frameLocator('#user-metadata-summary').locator('body'),
      (t) => t.trim() !== '',
      'the summary',
    );
    const details = page.frameLocator('#user-metadata-current-details').locator('body');
    // Current details come from the worker (a query), so they show while one runs.
    const table = await textWhen(details, (t) => t.includes('Destination:'), 'the current details');
    shots.push(await shoot(page, { until: [metadata, page.locator('#user-metadata-current-details')] }));

    const resources = summary.resources.map((r) => r.resource);
    const configured = syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources.map((r) => r.name);
    assert.deepEqual([...resources].sort(), [...configured].sort());
    const host = new URL(h.vars.CLICKHOUSE_URL).host;
    assert.equal(
      text.trim(),
      `Clockodo sync (incremental, scheduled) into ${host}/${h.database}: ${resources.join(', ')}`,
    );
    assert.match(text, /^\s*Clockodo sync \(incremental, scheduled\) into 127\.0\.0\.1:\d+\/clockodo_e2e_/);

    // The list of what each resource did.
    assert.match(table, new RegExp(`Destination: ${escape(host)}/${h.database}`));
    for (const r of summary.resources)
      assert.match(
        table,
        new RegExp(
          `^${r.resource}: done, ${r.pages} pages?, ${r.rows} rows written, ${r.unchanged} unchanged, 0 deleted, 0 held back$`,
          'm',
        ),
      );
  });

  it('Search Attributes show the mode, the resources, the rows written and the schedule', async () => {
    await page.getByRole('tab', { name: 'Search Attributes' }).click();
    const box = page.getByRole('textbox', { name: 'Search Attributes' });
    // The attributes are shown as JSON in a code view: read them back as JSON.
    const text = await textWhen(box, parses, 'the search attributes');
    shots.push(
      await shoot(page, {
        until: [box],
        from: page.getByRole('tablist', { name: 'workflow detail' }),
        left: page.getByRole('main'),
      }),
    );
    const attrs = JSON.parse(text) as Record<string, unknown>;
    assert.equal(attrs.ClockodoSyncMode, 'incremental');
    assert.deepEqual(
      attrs.ClockodoResources,
      summary.resources.map((r) => r.resource),
    );
    assert.equal(attrs.TemporalScheduledById, scheduleId);

    const written = summary.resources.reduce((n, r) => n + r.rows, 0);
    assert.ok(written > 0, 'a first sync writes rows');
    assert.equal(attrs.ClockodoRowsSynced, written, 'the rows the run says it wrote');
    // And what ClickHouse holds from this run, counted in its own run history.
    const [{ n }] = await rows<{ n: string }>(
      h.ch,
      `SELECT sum(rows_written) AS n FROM ${h.database}.sync_runs WHERE run_id = '${workflowId}'`,
    );
    assert.equal(Number(n), attrs.ClockodoRowsSynced, 'sync_runs of the run');
  });
});

/** Waits until the run a schedule started is listed as completed, and returns its workflow id. */
async function finishedRunOf(h: Harness, scheduleId: string): Promise<string> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    for await (const wf of h.client.workflow.list({ query: `TemporalScheduledById = "${scheduleId}"` })) {
      if (wf.status.name === 'COMPLETED') return wf.workflowId;
      if (wf.status.name !== 'RUNNING')
        throw new Error(`the scheduled run ${wf.workflowId} ended ${wf.status.name}`);
    }
    if (Date.now() > deadline) throw new Error(`no finished run of ${scheduleId} within 120s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
