// The local API server's writes and the Clockodo-style webhooks they send: the entry routes (POST, PUT,
// DELETE /v2/entries), /__control/edit and /__control/change-entries, against a small node:http receiver;
// then the sender on its own (a target that is down, fails, hangs, or never keeps up) and main.ts's settings.
import { strict as assert } from 'assert';
import type { ChildProcess } from 'child_process';
import { createServer, IncomingHttpHeaders, Server } from 'http';
import { AddressInfo } from 'net';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';
import { generateDataset } from '../../api-server/data-generator';
import { spawnApiServerMain } from '../api-server-cli';
import { RunningApiServer, startApiServer } from '../../api-server/server';
import type { Customer, Entry } from '../../api-server/types';
import { WebhookSender } from '../../api-server/webhooks';

const TOKEN = 'whk-test-token-7f3a9c0042';
const CREDENTIALS = { email: 'hooks@example.com', apiKey: 'hooks-api-key-123' };
const APP = 'webhook-test;hooks@example.com';
const AUTH = {
  Authorization: `Basic ${Buffer.from(`${CREDENTIALS.email}:${CREDENTIALS.apiKey}`).toString('base64')}`,
  'X-Clockodo-External-Application': APP,
};
const NOW = new Date(Date.now() - 60_000);
const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

interface Hook {
  path: string;
  headers: IncomingHttpHeaders;
  body: { event: string; data: Record<string, unknown> & { id: number } };
}

interface Receiver {
  url: string;
  hooks: Hook[];
  close(): Promise<void>;
}

/**
 * A webhook target on a free port. `answer` gives the status per request (default 200); 'hang' holds the
 * request without ever answering.
 */
async function startReceiver(answer: (n: number) => number | 'hang' = () => 200): Promise<Receiver> {
  const hooks: Hook[] = [];
  const server: Server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      hooks.push({ path: req.url ?? '', headers: req.headers, body: JSON.parse(text) as Hook['body'] });
      const status = answer(hooks.length);
      if (status === 'hang') return;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/clockodo`,
    hooks,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function smallDataset() {
  const year = NOW.getUTCFullYear();
  return generateDataset(
    11,
    { customers: 6, projects: 12, absencesPerYear: 4, entries: 200, users: 4, years: [year - 1, year] },
    NOW,
  );
}

interface Reply<T> {
  status: number;
  body: T;
  ms: number;
}

async function call<T>(
  url: string,
  method: string,
  body?: unknown,
  headers: Record<string, string> = AUTH,
): Promise<Reply<T>> {
  const started = Date.now();
  const res = await fetch(url, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as T, ms: Date.now() - started };
}

type ErrorBody = { error: { message: string; fields?: string[] } };

/** The entries GET /v2/entries lists for the window of one instant. */
async function listedAt(api: RunningApiServer, timeSince: string): Promise<Entry[]> {
  const q = new URLSearchParams({ time_since: timeSince, time_until: timeSince, items_per_page: '1000' });
  const r = await call<{ entries: Entry[] }>(`${api.url}/v2/entries?${q.toString()}`, 'GET');
  assert.equal(r.status, 200);
  return r.body.entries;
}

async function listedAll(api: RunningApiServer): Promise<Entry[]> {
  const q = new URLSearchParams({
    time_since: '2000-01-01T00:00:00Z',
    time_until: '2100-01-01T00:00:00Z',
    items_per_page: '1000',
  });
  const r = await call<{ entries: Entry[] }>(`${api.url}/v2/entries?${q.toString()}`, 'GET');
  assert.equal(r.status, 200);
  return r.body.entries;
}

/** Captures what the process writes to stderr while `run` runs. */
async function capturingStderr(run: () => Promise<void>): Promise<string> {
  const original = process.stderr.write.bind(process.stderr);
  let captured = '';
  process.stderr.write = (chunk: string | Uint8Array): boolean => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  };
  try {
    await run();
  } finally {
    process.stderr.write = original;
  }
  return captured;
}

describe('api-server writes and webhooks', function () {
  this.timeout(30_000);
  let receiver: Receiver;
  let api: RunningApiServer;
  let control: string;

  before(async () => {
    receiver = await startReceiver();
    api = await startApiServer({
      dataset: smallDataset(),
      credentials: CREDENTIALS,
      allowControl: true,
      webhooks: { urls: [receiver.url], token: TOKEN },
    });
    control = api.url.replace(/\/api$/, '/__control');
  });

  after(async () => {
    await api?.close();
    await receiver?.close();
  });

  /** The hooks that arrive for what `run` does, once the sender is idle. */
  async function hooksOf(run: () => Promise<void>): Promise<Hook[]> {
    await api.webhooks.flush();
    const before = receiver.hooks.length;
    await run();
    await api.webhooks.flush();
    return receiver.hooks.slice(before);
  }

  /** A refused write: it sent no webhook and left the entry as it was. */
  function refusedWithoutEffect(hooks: Hook[], target: Entry): void {
    assert.deepEqual(hooks, []);
    assert.equal(
      api.dataset.entries.find((e) => e.id === target.id),
      target,
      'the record is untouched',
    );
  }

  const finishedTimeEntry = (k: number): Entry => {
    const found = api.dataset.entries.filter((e) => e.type === 1 && e.time_until !== null)[k];
    assert.ok(found);
    return found;
  };

  describe('entry routes', () => {
    it('PUT /v2/entries/{id} changes the text, stamps time_last_change, lists it, and sends entry.updated', async () => {
      const target = finishedTimeEntry(3);
      const old = { ...target, time_last_change: '2001-01-01T00:00:00Z' };
      api.dataset.entries[api.dataset.entries.indexOf(target)] = old; // so "new" cannot be a coincidence
      const started = Date.now();
      let reply: Reply<{ entry: Entry }> | undefined;
      const hooks = await hooksOf(async () => {
        reply = await call(`${api.url}/v2/entries/${target.id}`, 'PUT', {
          id: target.id,
          text: 'edited via PUT',
        });
      });
      assert.ok(reply);
      assert.equal(reply.status, 200, JSON.stringify(reply.body));
      assert.deepEqual(Object.keys(reply.body), ['entry']);
      const entry = reply.body.entry;
      assert.equal(entry.id, target.id);
      assert.equal(entry.text, 'edited via PUT');
      assert.match(entry.time_last_change, DATETIME);
      assert.notEqual(entry.time_last_change, old.time_last_change);
      const stampMs = Date.parse(entry.time_last_change);
      assert.ok(
        stampMs >= Math.floor(started / 1000) * 1000 && stampMs <= Date.now(),
        entry.time_last_change,
      );
      // Everything else as it was.
      assert.deepEqual(
        { ...entry, text: old.text, time_last_change: old.time_last_change, texts_id: old.texts_id },
        old,
      );

      const listed = (await listedAt(api, target.time_since)).find((e) => e.id === target.id);
      assert.deepEqual(listed, entry);

      assert.equal(hooks.length, 1, JSON.stringify(hooks.map((h) => h.body.event)));
      const [hook] = hooks;
      assert.equal(hook.body.event, 'entry.updated');
      assert.deepEqual(hook.body.data, entry);
      assert.equal(hook.headers.authorization, `Bearer ${TOKEN}`);
      assert.equal(hook.headers['content-type'], 'application/json');
      assert.equal(hook.path, '/clockodo');
    });

    it('PUT recomputes a time entry duration from new times', async () => {
      const target = finishedTimeEntry(5);
      assert.ok(target.type === 1);
      const since = '2020-03-02T08:00:00Z';
      const r = await call<{ entry: Entry }>(`${api.url}/v2/entries/${target.id}`, 'PUT', {
        time_since: since,
        time_until: '2020-03-02T10:30:00.000Z',
        offset: 600,
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const e = r.body.entry;
      assert.ok(e.type === 1);
      assert.equal(e.time_until, '2020-03-02T10:30:00Z', 'stored in the API format');
      assert.equal(e.duration, 2.5 * 3600 - 600);
      assert.ok((await listedAt(api, since)).some((x) => x.id === target.id));
    });

    it('POST creates an entry under a new id; DELETE removes it; a second DELETE is a 404', async () => {
      const model = finishedTimeEntry(7);
      assert.ok(model.type === 1);
      const maxBefore = Math.max(...api.dataset.entries.map((e) => e.id));
      const since = '2021-05-04T09:00:00Z';
      let created: Reply<{ entry: Entry }> | undefined;
      const createdHooks = await hooksOf(async () => {
        created = await call(`${api.url}/v2/entries`, 'POST', {
          customers_id: model.customers_id,
          projects_id: model.projects_id,
          services_id: model.services_id,
          users_id: model.users_id,
          billable: 1,
          time_since: since,
          time_until: '2021-05-04T10:00:00Z',
          text: 'created via POST',
        });
      });
      assert.ok(created);
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const entry = created.body.entry;
      assert.ok(entry.id > maxBefore, `${entry.id} > ${maxBefore}`);
      assert.equal(entry.type, 1);
      assert.ok(entry.type === 1);
      assert.equal(entry.duration, 3600);
      assert.equal(entry.text, 'created via POST');
      assert.match(entry.time_insert, DATETIME);
      assert.equal(entry.time_last_change, entry.time_insert);
      assert.equal(createdHooks.length, 1);
      assert.equal(createdHooks[0].body.event, 'entry.created');
      assert.deepEqual(createdHooks[0].body.data, entry);

      const ids = api.dataset.entries.map((e) => e.id);
      assert.deepEqual(
        ids,
        [...ids].sort((a, b) => a - b),
        'the list stays in id order',
      );
      const listed = await listedAll(api);
      assert.deepEqual(
        listed.find((e) => e.id === entry.id),
        entry,
      );

      let deleted: Reply<unknown> | undefined;
      const deletedHooks = await hooksOf(async () => {
        deleted = await call(`${api.url}/v2/entries/${entry.id}`, 'DELETE');
      });
      assert.ok(deleted);
      assert.equal(deleted.status, 200);
      assert.deepEqual(deleted.body, { success: true });
      assert.equal(deletedHooks.length, 1);
      assert.equal(deletedHooks[0].body.event, 'entry.deleted');
      assert.deepEqual(deletedHooks[0].body.data, entry, 'the record as it was');
      assert.ok(!(await listedAll(api)).some((e) => e.id === entry.id));

      const none = await hooksOf(async () => {
        const again = await call<ErrorBody>(`${api.url}/v2/entries/${entry.id}`, 'DELETE');
        assert.equal(again.status, 404);
        assert.equal(typeof again.body.error.message, 'string');
        const put = await call<ErrorBody>(`${api.url}/v2/entries/${entry.id}`, 'PUT', { text: 'x' });
        assert.equal(put.status, 404);
      });
      assert.deepEqual(none, [], 'failed writes send nothing');

      // A deleted id is never handed out again.
      const next = await call<{ entry: Entry }>(`${api.url}/v2/entries`, 'POST', {
        customers_id: model.customers_id,
        services_id: model.services_id,
        billable: 0,
        time_since: since,
        time_until: null, // a running clock
      });
      assert.equal(next.status, 200, JSON.stringify(next.body));
      assert.ok(next.body.entry.id > entry.id);
      assert.ok(next.body.entry.type === 1);
      assert.equal(next.body.entry.time_until, null);
      assert.equal(next.body.entry.duration, null);
      assert.equal(next.body.entry.clocked, true);
    });

    it('creates lump-sum entries by the fields the SDK sends', async () => {
      const customer = api.dataset.customers[0];
      const service = api.dataset.lumpsum_services[0];
      const r = await call<{ entry: Entry }>(`${api.url}/v2/entries`, 'POST', {
        customers_id: customer.id,
        lumpsum_services_id: service.id,
        lumpsum_services_amount: 2.5,
        billable: 1,
        time_since: '2021-06-01T12:00:00Z',
      });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.ok(r.body.entry.type === 3);
      assert.equal(r.body.entry.lumpsum_services_amount, 2.5);
      assert.equal(r.body.entry.time_until, '2021-06-01T12:00:00Z');
    });

    it('a write without credentials gets the 401 a read gets, and changes nothing', async () => {
      const target = finishedTimeEntry(9);
      const noAuth = { 'X-Clockodo-External-Application': APP };
      const read = await call<ErrorBody>(`${api.url}/v2/customers`, 'GET', undefined, noAuth);
      assert.equal(read.status, 401);
      const wrongKey = {
        ...noAuth,
        Authorization: `Basic ${Buffer.from(`${CREDENTIALS.email}:nope`).toString('base64')}`,
      };
      const hooks = await hooksOf(async () => {
        for (const headers of [noAuth, wrongKey]) {
          const put = await call<ErrorBody>(
            `${api.url}/v2/entries/${target.id}`,
            'PUT',
            { text: 'x' },
            headers,
          );
          assert.equal(put.status, 401);
          assert.deepEqual(put.body, read.body);
          const post = await call<ErrorBody>(`${api.url}/v2/entries`, 'POST', {}, headers);
          assert.deepEqual([post.status, post.body], [401, read.body]);
          const del = await call<ErrorBody>(
            `${api.url}/v2/entries/${target.id}`,
            'DELETE',
            undefined,
            headers,
          );
          assert.deepEqual([del.status, del.body], [401, read.body]);
        }
        const noApp = await call<ErrorBody>(
          `${api.url}/v2/entries/${target.id}`,
          'PUT',
          { text: 'x' },
          {
            Authorization: AUTH.Authorization,
          },
        );
        assert.equal(noApp.status, 400);
        assert.deepEqual(noApp.body.error.fields, ['X-Clockodo-External-Application']);
      });
      refusedWithoutEffect(hooks, target);
    });

    it('a bad body is a 400 naming the field', async () => {
      const target = finishedTimeEntry(10);
      const model = finishedTimeEntry(11);
      assert.ok(model.type === 1);
      const cases: [string, string, unknown, string[]][] = [
        ['PUT', `/v2/entries/${target.id}`, { billable: 7 }, ['billable']],
        ['PUT', `/v2/entries/${target.id}`, { time_since: 'yesterday' }, ['time_since']],
        ['PUT', `/v2/entries/${target.id}`, { customers_id: 999_999_999 }, ['customers_id']],
        ['PUT', `/v2/entries/${target.id}`, { text: 42 }, ['text']],
        ['PUT', `/v2/entries/${target.id}`, { lumpsum: 3 }, ['lumpsum']],
        ['PUT', `/v2/entries/${target.id}`, { time_until: '1999-01-01T00:00:00Z' }, ['time_until']],
        [
          'POST',
          '/v2/entries',
          { customers_id: model.customers_id, billable: 1, time_since: '2021-01-01T10:00:00Z' },
          ['services_id', 'time_until'],
        ],
        ['POST', '/v2/entries', {}, ['customers_id', 'billable', 'time_since', 'services_id', 'time_until']],
      ];
      const hooks = await hooksOf(async () => {
        for (const [method, route, body, fields] of cases) {
          const r = await call<ErrorBody>(`${api.url}${route}`, method, body);
          assert.equal(r.status, 400, `${method} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
          assert.deepEqual(r.body.error.fields, fields, JSON.stringify(body));
        }
        for (const raw of ['not json', '[1, 2]']) {
          const r = await call<ErrorBody>(`${api.url}/v2/entries/${target.id}`, 'PUT', raw);
          assert.equal(r.status, 400);
          assert.equal(typeof r.body.error.message, 'string');
        }
      });
      refusedWithoutEffect(hooks, target);
    });

    it('other methods stay 405 with the allowed ones named; reads are unchanged', async () => {
      const patch = await fetch(`${api.url}/v2/entries`, { method: 'PATCH', headers: AUTH });
      assert.equal(patch.status, 405);
      assert.equal(patch.headers.get('allow'), 'GET, POST');
      await patch.text();
      const post = await fetch(`${api.url}/v2/customers`, { method: 'POST', headers: AUTH });
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET');
      await post.text();
      const one = finishedTimeEntry(12);
      const got = await call<{ entry: Entry }>(`${api.url}/v2/entries/${one.id}`, 'GET');
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, { entry: one });
      const unknown = await call<ErrorBody>(`${api.url}/v2/entries/1`, 'GET');
      assert.equal(unknown.status, 404);
    });
  });

  describe('control routes', () => {
    const edit = <T>(body: unknown) => call<T>(`${control}/edit`, 'POST', body, {});

    it('/__control/edit updates, creates and deletes customers, sending customer.*', async () => {
      const customer = api.dataset.customers[2];
      let updated: Reply<{ ok: boolean; id: number; record: Customer }> | undefined;
      let hooks = await hooksOf(async () => {
        updated = await edit({
          resource: 'customers',
          op: 'update',
          id: customer.id,
          changes: { name: 'Renamed' },
        });
      });
      assert.ok(updated);
      assert.equal(updated.status, 200, JSON.stringify(updated.body));
      assert.deepEqual(updated.body, { ok: true, id: customer.id, record: { ...customer, name: 'Renamed' } });
      assert.deepEqual(
        hooks.map((h) => [h.body.event, h.body.data]),
        [['customer.updated', { ...customer, name: 'Renamed' }]],
      );
      const listed = await call<{ data: Customer[] }>(`${api.url}/v3/customers`, 'GET');
      assert.equal(listed.body.data.find((c) => c.id === customer.id)?.name, 'Renamed');

      const maxBefore = Math.max(...api.dataset.customers.map((c) => c.id));
      let created: Reply<{ ok: boolean; id: number; record: Customer }> | undefined;
      hooks = await hooksOf(async () => {
        created = await edit({ resource: 'customers', op: 'create', changes: { name: 'New Customer' } });
      });
      assert.ok(created);
      assert.equal(created.status, 200);
      const id = created.body.id;
      assert.ok(id > maxBefore);
      assert.equal(created.body.record.name, 'New Customer');
      assert.deepEqual(
        Object.keys(created.body.record).sort(),
        Object.keys(customer).sort(),
        'a full record',
      );
      assert.deepEqual(
        hooks.map((h) => [h.body.event, h.body.data.id]),
        [['customer.created', id]],
      );
      const after = await call<{ data: Customer[] }>(`${api.url}/v3/customers`, 'GET');
      assert.deepEqual(
        after.body.data.find((c) => c.id === id),
        created.body.record,
      );

      hooks = await hooksOf(async () => {
        const deleted = await edit<{ ok: boolean; id: number }>({ resource: 'customers', op: 'delete', id });
        assert.equal(deleted.status, 200);
        assert.equal(deleted.body.id, id);
      });
      assert.deepEqual(
        hooks.map((h) => [h.body.event, h.body.data]),
        [['customer.deleted', created.body.record]],
      );
      assert.ok(!api.dataset.customers.some((c) => c.id === id));
      const again = await edit<ErrorBody>({ resource: 'customers', op: 'delete', id });
      assert.equal(again.status, 404);
      assert.equal(typeof again.body.error.message, 'string');
    });

    it('/__control/edit stamps time_last_change of entries and names the entity of other lists', async () => {
      const target = finishedTimeEntry(14);
      const hooks = await hooksOf(async () => {
        const r = await edit<{ record: Entry }>({
          resource: 'entries',
          op: 'update',
          id: target.id,
          changes: { text: 'c' },
        });
        assert.equal(r.status, 200);
        assert.match(r.body.record.time_last_change, DATETIME);
        assert.ok(Date.now() - Date.parse(r.body.record.time_last_change) < 5000);
        const team = api.dataset.teams[0];
        assert.equal((await edit({ resource: 'teams', op: 'update', id: team.id, changes: {} })).status, 200);
        const quota = api.dataset.holidays_quota[0];
        assert.equal((await edit({ resource: 'holidays_quota', op: 'delete', id: quota.id })).status, 200);
        // Surcharge models have no Clockodo event: edited, but no webhook.
        const surcharge = api.dataset.surcharges[0];
        assert.equal((await edit({ resource: 'surcharges', op: 'update', id: surcharge.id })).status, 200);
      });
      assert.deepEqual(
        hooks.map((h) => h.body.event),
        ['entry.updated', 'team.updated', 'holidays_quota.deleted'],
      );
    });

    it('/__control/edit answers 400 for an unknown resource or op, or a missing id', async () => {
      const cases: [unknown, string][] = [
        [{ resource: 'nope', op: 'update', id: 1 }, 'resource'],
        [{ resource: 'nonbusiness_days', op: 'update', id: 1 }, 'resource'],
        [{ resource: 'work_times', op: 'create' }, 'resource'],
        [{ resource: 'customers', op: 'rename', id: 1 }, 'op'],
        [{ resource: 'customers', op: 'update' }, 'id'],
        [{ resource: 'customers', op: 'delete', id: 'x' }, 'id'],
        [{ resource: 'customers', op: 'update', id: 1, changes: [] }, 'changes'],
      ];
      for (const [body, field] of cases) {
        const r = await edit<ErrorBody>(body);
        assert.equal(r.status, 400, JSON.stringify(body));
        assert.deepEqual(r.body.error.fields, [field], JSON.stringify(body));
      }
      const missing = await edit<ErrorBody>({ resource: 'customers', op: 'update', id: 1, changes: {} });
      assert.equal(missing.status, 404);
    });

    it('/__control/change-entries sends one entry.updated per changed entry', async () => {
      let ids: number[] = [];
      const hooks = await hooksOf(async () => {
        const r = await call<{ ids: number[] }>(`${control}/change-entries`, 'POST', { count: 3 }, {});
        assert.equal(r.status, 200);
        ids = r.body.ids;
      });
      assert.equal(ids.length, 3);
      assert.deepEqual(
        hooks.map((h) => h.body.event),
        ['entry.updated', 'entry.updated', 'entry.updated'],
      );
      assert.deepEqual(
        hooks.map((h) => h.body.data.id).sort((a, b) => a - b),
        [...ids].sort((a, b) => a - b),
      );
      for (const h of hooks) {
        assert.deepEqual(
          h.body.data,
          api.dataset.entries.find((e) => e.id === h.body.data.id),
        );
      }
    });

    it('GET /__control/webhooks gives the counters and where events go, without the token', async () => {
      await api.webhooks.flush();
      const r = await call<Record<string, unknown>>(`${control}/webhooks`, 'GET', undefined, {});
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { destinations: [receiver.url], ...api.webhooks.counters() });
      assert.equal(r.body.sent, receiver.hooks.length);
      assert.equal(r.body.failed, 0);
      assert.equal(r.body.pending, 0);
    });
  });
});

describe('api-server webhooks to a target that is down, failing or slow', function () {
  this.timeout(60_000);

  it('a write answers at once with the receiver down; the sender counts one failure and logs it without the token', async () => {
    const port = await closedPort();
    // The token rides in the query too, as Clockodo's validation secret does: neither may reach a log.
    const url = `http://127.0.0.1:${port}/hook?token=${TOKEN}`;
    const api = await startApiServer({
      dataset: smallDataset(),
      credentials: CREDENTIALS,
      webhooks: { urls: [url], token: TOKEN },
    });
    try {
      const target = api.dataset.entries[4];
      let put: Reply<{ entry: Entry }> | undefined;
      const log = await capturingStderr(async () => {
        put = await call(`${api.url}/v2/entries/${target.id}`, 'PUT', { text: 'nobody listens' });
        assert.deepEqual(api.webhooks.counters(), { sent: 0, failed: 0, dropped: 0, pending: 1 });
        await api.webhooks.flush();
      });
      assert.ok(put);
      assert.equal(put.status, 200);
      assert.ok(put.ms < 500, `the write waited ${put.ms} ms (the retry alone takes 1000)`);
      assert.deepEqual(api.webhooks.counters(), { sent: 0, failed: 1, dropped: 0, pending: 0 });
      const lines = log.split('\n').filter((l) => l !== '');
      assert.equal(lines.length, 1, log);
      assert.match(
        lines[0],
        /webhook entry\.updated to http:\/\/127\.0\.0\.1:\d+\/hook failed after 2 attempts: ECONNREFUSED/,
      );
      assert.ok(!lines[0].includes(TOKEN), lines[0]);
      assert.ok(!lines[0].includes('?'), lines[0]);
      assert.equal(api.dataset.entries.find((e) => e.id === target.id)?.text, 'nobody listens');
    } finally {
      await api.close();
    }
  });

  it('a write answers at once while the receiver holds the request', async () => {
    const receiver = await startReceiver(() => 'hang');
    const api = await startApiServer({
      dataset: smallDataset(),
      credentials: CREDENTIALS,
      webhooks: { urls: [receiver.url], token: TOKEN },
    });
    try {
      const target = api.dataset.entries[5];
      const first = await call(`${api.url}/v2/entries/${target.id}`, 'PUT', { text: 'one' });
      const second = await call(`${api.url}/v2/entries/${target.id}`, 'PUT', { text: 'two' });
      assert.equal(first.status, 200);
      assert.equal(second.status, 200);
      assert.ok(first.ms + second.ms < 1000, `${first.ms} + ${second.ms} ms`);
      const started = Date.now();
      while (receiver.hooks.length < 1 && Date.now() - started < 5000) await sleep(20);
      assert.equal(receiver.hooks.length, 1, 'one at a time: the second waits for the first');
      assert.equal(api.webhooks.counters().pending, 2);
    } finally {
      await api.close(); // drops what is pending and aborts the held request
      await receiver.close();
    }
    assert.deepEqual(api.webhooks.counters(), { sent: 0, failed: 0, dropped: 2, pending: 0 });
  });

  it('retries a 5xx once after a pause, a 4xx never; a timeout counts as a failure', async () => {
    const receiver = await startReceiver((n) => (n <= 2 ? 503 : n === 3 ? 400 : n === 4 ? 502 : 204));
    const lines: string[] = [];
    const sender = new WebhookSender(
      { urls: [receiver.url], token: TOKEN },
      { retryDelayMs: 300, log: (l) => lines.push(l) },
    );
    const started = Date.now();
    sender.send('customer.updated', { id: 1 }); // 503, 503 after the pause: failed
    sender.send('customer.deleted', { id: 2 }); // 400: failed, no retry
    sender.send('customer.created', { id: 3 }); // 502, then 204: sent
    await sender.flush();
    assert.ok(Date.now() - started >= 600, 'two pauses before the retries');
    assert.deepEqual(
      receiver.hooks.map((h) => h.body.event),
      ['customer.updated', 'customer.updated', 'customer.deleted', 'customer.created', 'customer.created'],
    );
    assert.deepEqual(sender.counters(), { sent: 1, failed: 2, dropped: 0, pending: 0 });
    assert.equal(lines.length, 2);
    assert.match(lines[0], /customer\.updated .* failed after 2 attempts: HTTP 503$/);
    assert.match(lines[1], /customer\.deleted .* failed after 1 attempt: HTTP 400$/);
    await receiver.close();

    const hanging = await startReceiver(() => 'hang');
    const slow = new WebhookSender(
      { urls: [hanging.url], token: TOKEN },
      { timeoutMs: 200, retryDelayMs: 50, log: (l) => lines.push(l) },
    );
    slow.send('entry.updated', { id: 9 });
    await slow.flush();
    assert.deepEqual(slow.counters(), { sent: 0, failed: 1, dropped: 0, pending: 0 });
    assert.equal(hanging.hooks.length, 2, 'the timeout is retried once');
    assert.match(lines[2], /failed after 2 attempts: no answer within 200 ms$/);
    await hanging.close();
    assert.ok(lines.every((l) => !l.includes(TOKEN)));
  });

  it('delivers in order to every target', async () => {
    const a = await startReceiver();
    const b = await startReceiver();
    const sender = new WebhookSender({ urls: [a.url, `${b.url}/other`], token: TOKEN });
    for (let i = 1; i <= 30; i++) sender.send('entry.updated', { id: i });
    await sender.flush();
    const expected = Array.from({ length: 30 }, (_, i) => i + 1);
    assert.deepEqual(
      a.hooks.map((h) => h.body.data.id),
      expected,
    );
    assert.deepEqual(
      b.hooks.map((h) => h.body.data.id),
      expected,
    );
    assert.ok(b.hooks.every((h) => h.path === '/clockodo/other'));
    assert.deepEqual(sender.counters(), { sent: 60, failed: 0, dropped: 0, pending: 0 });
    await a.close();
    await b.close();
  });

  it('keeps its queue bounded: the oldest are dropped and counted, memory stays flat', async () => {
    const port = await closedPort();
    const sender = new WebhookSender(
      { urls: [`http://127.0.0.1:${port}/hook`], token: TOKEN },
      { log: () => undefined },
    );
    for (let i = 0; i < 5000; i++) sender.send('entry.updated', { id: i });
    // One in flight (taken at the first send), the latest 1000 queued, the rest dropped.
    assert.deepEqual(sender.counters(), { sent: 0, failed: 0, dropped: 3999, pending: 1001 });

    const gc = exposedGc();
    gc();
    const heapBefore = process.memoryUsage().heapUsed;
    const padding = 'x'.repeat(2000);
    for (let i = 0; i < 50_000; i++) sender.send('entry.updated', { id: i, padding: `${padding}${i}` });
    gc();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    // Kept unbounded, 50,000 bodies of 2 KB would hold 100 MB; bounded, at most 1000 of them (2 MB).
    assert.ok(grown < 15 * 1024 * 1024, `heap grew by ${Math.round(grown / 1024 / 1024)} MB`);
    assert.deepEqual(sender.counters(), { sent: 0, failed: 0, dropped: 53_999, pending: 1001 });

    const closing = Date.now();
    await sender.close();
    assert.ok(Date.now() - closing < 1000, 'close does not wait for the retry');
    const after = sender.counters();
    assert.equal(after.pending, 0);
    assert.equal(after.sent, 0);
    assert.equal(after.dropped + after.failed, 55_000);
  });

  it('sends nothing without a URL, and refuses a URL without a token or of another scheme', async () => {
    const sender = new WebhookSender(undefined);
    assert.equal(sender.enabled, false);
    sender.send('entry.updated', { id: 1 });
    await sender.flush();
    assert.deepEqual(sender.counters(), { sent: 0, failed: 0, dropped: 0, pending: 0 });
    assert.throws(
      () => new WebhookSender({ urls: ['http://127.0.0.1:1/x'], token: '' }),
      /token is required/,
    );
    assert.throws(
      () => new WebhookSender({ urls: [`ftp://host/x?token=${TOKEN}`], token: TOKEN }),
      (err: Error) => /not an http\(s\) URL/.test(err.message) && !err.message.includes(TOKEN),
    );
  });
});

describe('api-server CLI webhooks (API_WEBHOOK_URL, API_WEBHOOK_TOKEN)', function () {
  this.timeout(60_000);
  let child: ChildProcess | undefined;

  after(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
  });

  function startCli(env: Record<string, string>): {
    proc: ChildProcess;
    lines: Promise<string[]>;
    exited: Promise<number | null>;
    stderr: () => string;
  } {
    const proc = spawnApiServerMain({
      CLOCKODO_EMAIL: CREDENTIALS.email,
      CLOCKODO_API_KEY: CREDENTIALS.apiKey,
      ...env,
    });
    child = proc;
    let err = '';
    proc.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
    const lines = new Promise<string[]>((resolve, reject) => {
      let out = '';
      proc.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const done = out.split('\n');
        if (done.length > 2) resolve(done.slice(0, 2));
      });
      proc.on('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
    });
    return { proc, lines, exited, stderr: () => err };
  }

  it('sends each write to the URLs from the environment and says where, never the token', async () => {
    const receiver = await startReceiver();
    const cli = startCli({
      API_WEBHOOK_URL: `${receiver.url}?secret=${TOKEN}, ${receiver.url}/second`,
      API_WEBHOOK_TOKEN: TOKEN,
    });
    try {
      const [first, second] = await cli.lines;
      assert.match(first, /listening on/);
      assert.equal(
        second,
        `Webhooks: POST to ${receiver.url}, ${receiver.url}/second with the API_WEBHOOK_TOKEN bearer token`,
      );
      const url = /(http:\/\/\S+\/api)/.exec(first)?.[1];
      assert.ok(url, first);
      const all = await call<{ entries: Entry[] }>(
        `${url}/v2/entries?time_since=2000-01-01T00:00:00Z&time_until=2100-01-01T00:00:00Z`,
        'GET',
      );
      const target = all.body.entries[0];
      const put = await call(`${url}/v2/entries/${target.id}`, 'PUT', { text: 'from the CLI server' });
      assert.equal(put.status, 200);
      const started = Date.now();
      while (receiver.hooks.length < 2 && Date.now() - started < 10_000) await sleep(20);
      assert.deepEqual(receiver.hooks.map((h) => h.path).sort(), [
        `/clockodo/second`,
        `/clockodo?secret=${TOKEN}`,
      ]);
      for (const h of receiver.hooks) {
        assert.equal(h.body.event, 'entry.updated');
        assert.equal(h.body.data.id, target.id);
        assert.equal(h.headers.authorization, `Bearer ${TOKEN}`);
      }
      cli.proc.kill('SIGTERM');
      assert.equal(await cli.exited, 0);
      assert.ok(!cli.stderr().includes(TOKEN));
    } finally {
      await receiver.close();
    }
  });

  it('says webhooks are off without a URL, and refuses a URL without a token', async () => {
    const off = startCli({ API_WEBHOOK_URL: '', API_WEBHOOK_TOKEN: '' });
    const [, line] = await off.lines;
    assert.equal(line, 'Webhooks: off (set API_WEBHOOK_URL and API_WEBHOOK_TOKEN to send them)');
    off.proc.kill('SIGTERM');
    assert.equal(await off.exited, 0);

    const refused = startCli({ API_WEBHOOK_URL: 'http://127.0.0.1:9/hook', API_WEBHOOK_TOKEN: '' });
    refused.lines.catch(() => undefined);
    assert.equal(await refused.exited, 1);
    assert.match(refused.stderr(), /API_WEBHOOK_TOKEN is required when API_WEBHOOK_URL is set/);
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A full garbage collection, for measuring what is retained (V8 exposes gc on request). */
function exposedGc(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
