// Clockodo's webhooks through the real receiver process (`npm run webhooks`), the changes workflow on
// the Temporal dev server, a worker and ClickHouse: edits of the local API server, each followed by the
// webhook it sends, are visible in `_current` within seconds; a burst of events becomes at most two
// syncs per resource; a webhook during a reconciliation waits for its lock; with the receiver down a
// schedule picks the change up; bad requests start nothing; a flood leaves the receiver's memory
// bounded; and the token is in no history and no log line.
import { strict as assert } from 'assert';
import { randomBytes } from 'crypto';
import { readFileSync } from 'fs';
import { createServer } from 'http';
import { AddressInfo, connect } from 'net';
import { WorkflowNotFoundError } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Entry } from '../../api-server/types';
import { startSync } from '../../client/run-sync';
import { scheduleDefs, scheduleOptions } from '../../client/schedules';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import type { ChangesState } from '../../domain/changes';
import type { ResourceConfig } from '../../domain/source-config';
import { resourcesOfEntity } from '../../domain/webhook-events';
import { changesWorkflowId } from '../../domain/workflow-ids';
import { changesStateQuery } from '../../workflows';
import { assertCurrentEqualsApi } from './assert-current';
import { iso } from './entry-edits';
import { historyText } from './history-text';
import { runCommand, Spawned, waitForText } from './project-command';
import { Harness, rows, startHarness } from './harness';

const year = new Date().getUTCFullYear();
const DAY = 86_400_000;
const TOKEN = `whk_${randomBytes(18).toString('hex')}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function waitFor<T>(what: string, seconds: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const got = await probe();
    if (got !== undefined) return got;
    if (Date.now() > deadline) assert.fail(`not within ${seconds} s: ${what}`);
    await sleep(50);
  }
}

const rssKb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

describe('Clockodo webhooks: an edit reaches _current within seconds', function () {
  this.timeout(900_000);
  let h: Harness;
  let receiver: Spawned;
  let port: number;
  let entries: ResourceConfig;
  let receiverEnv: Record<string, string>;
  let resourceNames: string[];

  const hook = (pathName: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${port}${pathName}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${TOKEN}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const api = (method: string, route: string, body?: object) =>
    fetch(`${h.api.url}${route}`, {
      method,
      headers: {
        'X-ClockodoApiUser': h.vars.CLOCKODO_EMAIL,
        'X-ClockodoApiKey': h.vars.CLOCKODO_API_KEY,
        'X-Clockodo-External-Application': 'webhook-test;test@example.com',
        'Content-Type': 'application/json',
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  const changes = () => h.client.workflow.getHandle(changesWorkflowId(h.destination));
  const changesState = () => changes().query(changesStateQuery);
  const currentText = async (id: number) =>
    (await rows<{ text: string }>(h.ch, `SELECT text FROM ${h.database}.entries_current WHERE id = ${id}`))[0]
      ?.text;
  const recentEntry = (k: number): Entry => {
    const now = Date.now();
    const recent = h.api.dataset.entries.filter(
      (e) =>
        Date.parse(e.time_since) > now - 20 * DAY &&
        Date.parse(e.time_since) < now - DAY &&
        e.time_until !== null,
    );
    assert.ok(recent.length > k, 'the dataset has recent entries');
    return recent[k];
  };
  const webhookSyncs = async (resource: string, since: number) =>
    Number(
      (
        await rows<{ n: number }>(
          h.ch,
          `SELECT count() AS n FROM ${h.database}.sync_runs FINAL WHERE trigger = 'webhook' ` +
            `AND resource = '${resource}' AND started >= toDateTime(${Math.floor(since / 1000)})`,
        )
      )[0].n,
    );
  /** Until the changes workflow has nothing pending and no sync running. */
  const settled = () =>
    waitFor('the changes workflow settles', 120, async () => {
      // No changes workflow yet (no event so far): nothing to wait for.
      const s = await changesState().catch((e: unknown) =>
        e instanceof WorkflowNotFoundError ? null : undefined,
      );
      if (s === null) return true;
      return s && Object.keys(s.pending).length === 0 && !s.running ? s : undefined;
    });

  before(async () => {
    port = await freePort();
    h = await startHarness({
      size: {
        customers: 10,
        projects: 20,
        absencesPerYear: 4,
        entries: 2000,
        users: 3,
        years: [year - 1, year],
      },
      apiWebhooks: { urls: [`http://127.0.0.1:${port}/clockodo`], token: TOKEN },
    });
    const e = syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources.find(
      (r) => r.name === 'entries',
    );
    assert.ok(e);
    entries = e;
    resourceNames = syncInputFromSettings(h.vars, parseSyncArgs([])).config.resources.map((r) => r.name);
    const first = await h.sync();
    assert.ok(first.ok, first.ok ? '' : first.message);
    receiverEnv = {
      ...h.vars,
      WEBHOOK_TOKEN: TOKEN,
      WEBHOOK_LISTEN: `127.0.0.1:${port}`,
      LOG_LEVEL: 'DEBUG',
      WEBHOOK_IDLE: '1m',
    };
    receiver = runCommand('client/webhooks.ts', receiverEnv);
    await waitForText(receiver, /webhook receiver listening/, 60);
  });
  after(async () => {
    receiver?.proc.kill('SIGTERM');
    await receiver?.exit;
    await changes()
      .terminate('test over')
      .catch(() => undefined);
    await h?.close();
  });

  it('refuses a wrong or missing token (401), an oversized body (413), malformed JSON (400), and starts nothing', async () => {
    const unauth = await hook(
      '/clockodo',
      { event: 'entry.updated' },
      { Authorization: 'Bearer not-the-token' },
    );
    assert.equal(unauth.status, 401);
    const none = await fetch(`http://127.0.0.1:${port}/clockodo`, {
      method: 'POST',
      body: JSON.stringify({ event: 'entry.updated' }),
    });
    assert.equal(none.status, 401);
    const big = await hook(
      '/clockodo',
      JSON.stringify({ event: 'entry.updated', pad: 'x'.repeat(1_100_000) }),
    );
    assert.equal(big.status, 413);
    const bad = await hook('/clockodo', '{"event": "entry.upd');
    assert.equal(bad.status, 400);
    const unknown = await hook('/clockodo', { event: 'invoice.created' });
    assert.equal(unknown.status, 200);
    assert.match(JSON.stringify(await unknown.json()), /ignored/);
    const wrongPath = await hook('/elsewhere', { event: 'entry.updated' });
    assert.equal(wrongPath.status, 404);
    const get = await fetch(`http://127.0.0.1:${port}/clockodo`);
    assert.equal(get.status, 405);
    // A body that never completes is answered 408 within a second, and the connection closed.
    const slow = await new Promise<{ status: string; ms: number }>((resolve, reject) => {
      const t0 = Date.now();
      const socket = connect(port, '127.0.0.1', () =>
        socket.write(
          `POST /clockodo HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"event":',
        ),
      );
      let got = '';
      socket.on('data', (d: Buffer) => (got += d.toString()));
      socket.on('close', () => resolve({ status: got.split('\r\n')[0], ms: Date.now() - t0 }));
      socket.on('error', reject);
    });
    assert.equal(slow.status, 'HTTP/1.1 408 Request Timeout');
    assert.ok(slow.ms < 1500, `answered after ${slow.ms} ms`);
    await sleep(500);
    await assert.rejects(changes().describe(), WorkflowNotFoundError, 'no changes workflow was started');
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    assert.match(metrics, /clockodo_webhook_requests_rejected_total\{reason="token"\} 2/);
    assert.match(metrics, /clockodo_webhook_requests_rejected_total\{reason="too_large"\} 1/);
    assert.match(metrics, /clockodo_webhook_requests_rejected_total\{reason="timeout"\} 1/);
    assert.match(metrics, /clockodo_webhook_requests_rejected_total\{reason="malformed"\} 1/);
    assert.match(metrics, /clockodo_webhook_events_ignored_total 1/);
  });

  it("answers Clockodo's validation request with its secret, and logs it for the user", async () => {
    const res = await fetch(`http://127.0.0.1:${port}/clockodo?secret=val-1234abcd`);
    assert.equal(res.status, 200);
    assert.equal(await res.text(), 'val-1234abcd');
    assert.match(receiver.output(), /enter this secret in Clockodo.*val-1234abcd/);
  });

  it('an edit, an addition and a deletion through the API, each with its webhook, are visible in _current', async () => {
    const target = recentEntry(0);
    const put = await api('PUT', `/v2/entries/${target.id}`, { text: 'edited through the API' });
    assert.equal(put.status, 200, await put.clone().text());
    await waitFor('the edit in _current', 30, async () =>
      (await currentText(target.id)) === 'edited through the API' ? true : undefined,
    );

    const model = h.api.dataset.entries.find((e) => e.type === 1 && e.time_until !== null);
    assert.ok(model && model.type === 1);
    const since = Date.now() - 2 * DAY;
    const post = await api('POST', '/v2/entries', {
      customers_id: model.customers_id,
      projects_id: model.projects_id,
      services_id: model.services_id,
      billable: model.billable,
      time_since: iso(since),
      time_until: iso(since + 3600_000),
      text: 'added through the API',
    });
    assert.equal(post.status, 200, await post.clone().text());
    const added = ((await post.json()) as { entry: Entry }).entry;
    await waitFor('the addition in _current', 30, async () =>
      (await currentText(added.id)) === 'added through the API' ? true : undefined,
    );

    const gone = recentEntry(2);
    const del = await api('DELETE', `/v2/entries/${gone.id}`);
    assert.equal(del.status, 200, await del.clone().text());
    await waitFor('the deletion in _current', 30, async () =>
      (await currentText(gone.id)) === undefined ? true : undefined,
    );
    await settled();
    await assertCurrentEqualsApi(h, entries);
    // It waits for events across deploys, so it follows the current build (sync runs stay PINNED).
    const d = await changes().describe();
    assert.equal(
      d.raw.workflowExecutionInfo?.versioningInfo?.behavior,
      temporal.api.enums.v1.VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
    );
  });

  it('measures the delay from an edit to visible in _current over 50 edits', async () => {
    const delays: number[] = [];
    for (let k = 0; k < 50; k++) {
      const target = recentEntry(3 + (k % 20));
      const text = `edit ${k} at ${Date.now()}`;
      const t0 = Date.now();
      const put = await api('PUT', `/v2/entries/${target.id}`, { text });
      assert.equal(put.status, 200);
      await waitFor(`edit ${k} in _current`, 60, async () =>
        (await currentText(target.id)) === text ? true : undefined,
      );
      delays.push(Date.now() - t0);
    }
    const sorted = [...delays].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)];
    const p95 = sorted[Math.ceil(sorted.length * 0.95) - 1];
    console.log(
      `      edit → visible over ${delays.length} edits: median ${(median / 1000).toFixed(2)} s, ` +
        `p95 ${(p95 / 1000).toFixed(2)} s, min ${(sorted[0] / 1000).toFixed(2)} s, max ${(sorted.at(-1)! / 1000).toFixed(2)} s`,
    );
    assert.equal(delays.length, 50);
  });

  it('200 events in one second start at most two syncs per resource, and the result is exact', async () => {
    await settled();
    const since = Date.now();
    const targets = [0, 1, 2, 3, 4].map((k) => recentEntry(5 + k));
    for (const [k, e] of targets.entries()) {
      const i = h.api.dataset.entries.indexOf(e);
      h.api.dataset.entries[i] = { ...e, text: `burst ${k}`, time_last_change: iso(Date.now() - 1000) };
    }
    const answers = await Promise.all(
      Array.from({ length: 200 }, async (_, k) => {
        await sleep(k * 5);
        return (await hook('/clockodo', { event: 'entry.updated', data: { id: targets[k % 5].id } })).status;
      }),
    );
    assert.deepEqual([...new Set(answers)], [200]);
    await settled();
    for (const [k, e] of targets.entries()) assert.equal(await currentText(e.id), `burst ${k}`);
    const syncs = await webhookSyncs('entries', since);
    console.log(`      200 events → ${syncs} sync(s) of entries`);
    assert.ok(syncs >= 1 && syncs <= 2, `${syncs} syncs of entries`);
    await assertCurrentEqualsApi(h, entries);
    const state: ChangesState = await changesState();
    assert.ok(state.coalesced >= 190, `coalesced ${state.coalesced}`);
  });

  it('a webhook during a reconciliation waits for the lock, then syncs', async () => {
    await settled();
    // The reconciliation's first entries request is answered 429 with Retry-After 4 s: it holds the lock.
    h.api.injectFault({ status: 429, times: 1, pathPrefix: '/v2/entries', retryAfter: '4' });
    const reconcile = await startSync(
      h.client,
      syncInputFromSettings(h.vars, parseSyncArgs(['--resources', 'entries', '--reconcile'])),
      {
        taskQueue: h.taskQueue,
      },
    );
    await waitFor('the reconciliation holds the entries lock', 30, async () => {
      const d = await h.client.workflow
        .getHandle(h.resourceId('entries'))
        .describe()
        .catch(() => undefined);
      return d?.status.name === 'RUNNING' ? true : undefined;
    });
    const target = recentEntry(12);
    const put = await api('PUT', `/v2/entries/${target.id}`, { text: 'during the reconciliation' });
    assert.equal(put.status, 200);
    // The webhook's sync is under way while the reconciliation still holds the lock: it must wait.
    await waitFor('the webhook sync starts', 30, async () => {
      const s = await changesState().catch(() => undefined);
      return s?.running?.resources.includes('entries') ? true : undefined;
    });
    assert.equal((await reconcile.describe()).status.name, 'RUNNING', 'the reconciliation still runs');
    await reconcile.result();
    await waitFor('the edit in _current after the reconciliation', 60, async () =>
      (await currentText(target.id)) === 'during the reconciliation' ? true : undefined,
    );
    await settled();
    const order = await rows<{
      kind: string;
      trigger: string;
      outcome: string;
      started: string;
      finished: string;
    }>(
      h.ch,
      `SELECT kind, trigger, outcome, toString(started) AS started, toString(finished) AS finished FROM ${h.database}.sync_runs FINAL ` +
        `WHERE resource = 'entries' AND (run_id = '${reconcile.workflowId}' OR trigger = 'webhook') ORDER BY started DESC LIMIT 2`,
    );
    const [webhookRun, reconcileRun] = order;
    assert.equal(reconcileRun.kind, 'reconcile');
    assert.equal(webhookRun.trigger, 'webhook');
    assert.equal(webhookRun.outcome, 'ok');
    assert.ok(webhookRun.finished >= reconcileRun.finished, JSON.stringify(order));
  });

  it('status shows the last webhook per resource', async () => {
    const status = runCommand('client/start-sync.ts', h.vars, ['status']);
    const code = await status.exit;
    const text = status.output();
    assert.equal(code, 0, text);
    assert.match(text, /Webhooks received/);
    assert.match(text, /entries\s+entry\.updated/);
  });

  it('a flood of 10,000 requests leaves the receiver memory-bounded and its syncs few', async () => {
    await settled();
    const before = await changesState();
    const pid = receiver.proc.pid as number;
    const rssBefore = rssKb(pid);
    let peak = rssBefore;
    const sampler = setInterval(() => (peak = Math.max(peak, rssKb(pid))), 100);
    let sent = 0;
    const statuses = new Map<number, number>();
    await Promise.all(
      Array.from({ length: 50 }, async (_, lane) => {
        for (let k = lane; k < 10_000; k += 50) {
          const kind = k % 4;
          const res =
            kind === 0
              ? await hook('/clockodo', { event: 'entry.updated', data: { id: k } })
              : kind === 1
                ? await hook('/clockodo/customers', '')
                : kind === 2
                  ? await hook('/clockodo', { event: 'entry.updated' }, { Authorization: 'Bearer wrong' })
                  : await hook('/clockodo', '{not json');
          await res.arrayBuffer();
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          sent++;
        }
      }),
    );
    clearInterval(sampler);
    await settled();
    const after = await changesState();
    console.log(
      `      10,000 requests: receiver RSS ${Math.round(rssBefore / 1024)} → peak ${Math.round(peak / 1024)} MB; ` +
        `${after.syncs - before.syncs} syncs; answers ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    assert.equal(sent, 10_000);
    assert.deepEqual(Object.fromEntries(statuses), { 200: 5000, 401: 2500, 400: 2500 });
    assert.ok(peak - rssBefore < 100 * 1024, `RSS grew by ${Math.round((peak - rssBefore) / 1024)} MB`);
    // An entry's event changes entries and what is computed from them (domain/webhook-events.ts).
    const perEntryEvent = resourcesOfEntity('entry', resourceNames).length;
    assert.equal(
      after.received - before.received,
      2500 * perEntryEvent + 2500,
      'every accepted event reached the workflow',
    );
    assert.ok(after.syncs - before.syncs <= 20, `${after.syncs - before.syncs} syncs for the flood`);
  });

  it('with the receiver down, the schedule picks the change up', async () => {
    receiver.proc.kill('SIGTERM');
    assert.equal(await receiver.exit, 0, receiver.output());
    await settled();
    const target = recentEntry(15);
    const put = await api('PUT', `/v2/entries/${target.id}`, { text: 'while the receiver was down' });
    assert.equal(put.status, 200);
    await h.api.webhooks.flush();
    await sleep(3000);
    assert.notEqual(await currentText(target.id), 'while the receiver was down', 'no webhook arrived');
    const vars = {
      ...h.vars,
      SCHEDULE_ID_PREFIX: `e2e-hooks-${h.taskQueue}`,
      SCHEDULE_INCREMENTAL: 'every 1h',
    };
    const [inc] = scheduleDefs(vars);
    const schedule = await h.client.schedule.create(scheduleOptions(inc, vars));
    try {
      await schedule.trigger();
      await waitFor('the scheduled run lands the edit', 120, async () =>
        (await currentText(target.id)) === 'while the receiver was down' ? true : undefined,
      );
    } finally {
      await schedule.delete();
    }
  });

  it('the token is in no history and no log line of the receiver', async () => {
    assert.ok(!receiver.output().includes(TOKEN), 'the receiver log holds the token');
    assert.match(receiver.output(), /webhook event/);
    let histories = 0;
    for await (const wf of h.client.workflow.list({ query: `TaskQueue = '${h.taskQueue}'` })) {
      const history = await h.client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
      assert.ok(!historyText(history).includes(TOKEN), `history of ${wf.workflowId} holds the token`);
      histories++;
    }
    assert.ok(histories > 10, `${histories} histories searched`);
    const changesHistories = [];
    for await (const wf of h.client.workflow.list({
      query: `WorkflowId = '${changesWorkflowId(h.destination)}'`,
    }))
      changesHistories.push(wf.runId);
    assert.ok(changesHistories.length >= 1);
  });
});
