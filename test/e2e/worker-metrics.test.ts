// `npm run worker` as a process: it serves Prometheus metrics (Temporal's own worker metrics and the
// pipeline's counters per resource, scraped for real after syncs it ran) and logs one JSON line per
// event, with workflow and activity ids, and never a secret.
import { strict as assert } from 'assert';
import { ChildProcess, spawn } from 'child_process';
import * as path from 'path';
import fetch from 'node-fetch';
import { runSync } from '../../client/run-sync';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { Harness, startHarness } from './harness';
import { freePort } from './clickhouse-cluster';

const year = new Date().getUTCFullYear();

/** The value of a metric line with all the given labels, or undefined. */
function metricValue(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('worker metrics', function () {
  this.timeout(180_000);
  let h: Harness;
  let worker: ChildProcess | undefined;
  let output = '';
  let stdout = '';

  before(async () => {
    h = await startHarness({
      size: {
        customers: 30,
        projects: 50,
        absencesPerYear: 4,
        entries: 200,
        users: 3,
        years: [year - 1, year],
      },
      maxItemsPerPage: 20,
    });
  });
  after(async () => {
    if (worker && worker.exitCode === null) {
      worker.kill('SIGTERM');
      await new Promise((r) => worker?.once('exit', r));
    }
    await h?.close();
  });

  it('serves Temporal metrics and counts per resource, and logs JSON lines without secrets', async () => {
    const port = await freePort();
    const queue = `${h.taskQueue}-metrics`;
    const root = path.resolve(__dirname, '../..');
    // As `npm run worker` runs it: compiled, its heap capped (scripts/worker.sh execs node).
    worker = spawn('bash', ['scripts/worker.sh'], {
      cwd: root,
      env: {
        ...process.env,
        ...h.vars,
        TEMPORAL_TASK_QUEUE: queue,
        WORKER_METRICS_ADDRESS: `127.0.0.1:${port}`,
      },
    });
    worker.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      stdout += d.toString();
    });
    worker.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    for (let i = 0; i < 300 && !output.includes('worker started'); i++)
      await new Promise((r) => setTimeout(r, 100));
    assert.match(output, new RegExp(`"metrics":"http://127\\.0\\.0\\.1:${port}/metrics"`));

    h.api.injectFault({ status: 503, times: 1, pathPrefix: '/v2/customers' });
    // A second project under an id already taken: both records go to quarantine (a key collision).
    h.api.dataset.projects.push({ ...h.api.dataset.projects[7], name: 'another project, the same id' });
    const input = syncInputFromSettings(h.vars, parseSyncArgs(['--resources', 'customers,projects']));
    const result = await runSync(h.client, input, { taskQueue: queue });
    assert.ok(result.ok, result.ok ? '' : result.message);
    assert.equal(result.summary.outcome, 'degraded');

    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.equal(metricValue(text, 'clockodo_pages', { resource: 'customers' }), 2);
    assert.equal(metricValue(text, 'clockodo_pages', { resource: 'projects' }), 3);
    // Both records of the shared id were new: the table took both (and keeps the newer).
    assert.equal(metricValue(text, 'clockodo_rows_written', { resource: 'projects' }), 51);
    assert.equal(metricValue(text, 'clockodo_rows_quarantined', { resource: 'projects' }), 2);
    assert.equal(metricValue(text, 'clockodo_key_collisions', { resource: 'projects' }), 1);
    assert.equal(metricValue(text, 'clockodo_page_retries', { resource: 'customers' }), 1);
    // Temporal's own worker metrics come with it.
    assert.match(text, /^temporal_[a-z_]+\{/m);
    assert.match(text, /temporal_activity_execution_latency|temporal_worker_task_slots_available/);

    // A second run, after a project vanished, marks it deleted: an activity's event in the log.
    h.api.dataset.projects.splice(0, 1);
    const second = await runSync(h.client, input, { taskQueue: queue });
    assert.ok(second.ok, second.ok ? '' : second.message);
    // The worker's stdout reaches this process a moment after the run's result does.
    for (let i = 0; i < 50 && !stdout.includes('"deletions marked"'); i++)
      await new Promise((r) => setTimeout(r, 100));
    // Whole lines only: a line still being written has no newline yet.
    const lines = stdout
      .split('\n')
      .slice(0, -1)
      .filter((l) => l.trim() !== '');
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const started = events.find(
      (e) => e.message === 'sync started' && e.workflowId === second.summary.syncId,
    );
    assert.ok(started, 'the workflow logs its start with its workflow id');
    assert.equal(started.mode, 'incremental');
    const marked = events.find((e) => e.message === 'deletions marked');
    assert.ok(marked, 'the activity logs the deletions it marked');
    assert.equal(marked.resource, 'projects');
    assert.equal(marked.workflowId, h.resourceId('projects'));
    assert.ok(typeof marked.activityId === 'string');
    for (const secret of [h.vars.CLOCKODO_API_KEY])
      assert.ok(!stdout.includes(secret) && !output.includes(secret));
  });
});
