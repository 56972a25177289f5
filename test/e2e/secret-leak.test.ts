// No secret leaves the worker. A real worker process (`npm run worker`'s JSON log at DEBUG) holds a
// distinctive API key and ClickHouse password and runs, through real `start-sync` processes, a sync
// that succeeds, one refused by the API (401), one failed by ClickHouse (a table of the wrong shape),
// and one cancelled with a page in flight; and a client that writes its own input tries to make the
// worker send CLICKHOUSE_PASSWORD, and the key to a server of its own. Then every history of every
// run on the task queue (children and continued-as-new runs included, payloads decoded), every log
// line, every start-sync output and the sync_runs rows are searched for the secrets, plain and in
// Base64 at any offset (Basic auth encodes `email:key`). Workers that refuse to start (a wrong
// ClickHouse password; a real API without a key) are read the same way.
//
// Services of the test's own, from the same binaries as the shared ones: ClickHouse 18.16 with a
// user that has a password (the shared server's `default` has none, and 18.16 has no CREATE USER),
// and a Temporal dev server that suggests continue-as-new after 40 events, so reads do continue as
// new within a small dataset.
import { strict as assert } from 'assert';
import { randomBytes } from 'crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { createServer, IncomingMessage, Server } from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { createClient } from '@clickhouse/client';
import type { ClickHouseClient } from '@clickhouse/client';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { generateDataset } from '../../api-server/data-generator';
import { RunningApiServer, startApiServer } from '../../api-server/server';
import { runSync } from '../../client/run-sync';
import { historyText } from './history-text';
import { runCommand, Spawned, waitForText } from './project-command';
import { parseSyncArgs, syncInputFromSettings } from '../../client/sync-request';
import { PROJECT_ROOT, resolveVariables } from '../../config/settings';
import { RESOURCES_KEY, ROWS_SYNCED_KEY, SYNC_MODE_KEY } from '../../domain/search-attributes';
import { startOwnClickHouse } from './restartable-services';

const TEMPORAL_BIN = path.join(PROJECT_ROOT, '.services/temporal-cli/bin/temporal');
const YEARS = [2024, 2025];
const SIZE = { customers: 8, projects: 12, absencesPerYear: 4, entries: 1500, users: 4, years: YEARS };

const tag = randomBytes(4).toString('hex');
const SECRETS = {
  apiKey: `leak-api-key-${randomBytes(12).toString('hex')}`,
  clickhousePassword: `leak-ch-pass-${randomBytes(12).toString('hex')}`,
  wrongClickhousePassword: `leak-ch-wrong-${randomBytes(12).toString('hex')}`,
  temporalApiKey: `leak-temporal-key-${randomBytes(12).toString('hex')}`,
};
const EMAIL = `leak-${tag}@example.com`;
const CH_USER = 'leak_writer';

/**
 * Every form a secret could take in text: itself, URL-encoded, and the Base64 (and base64url)
 * stretches any encoding of a string containing it holds, at each of the three byte offsets. Written
 * here independently of the worker's redaction, which it checks.
 */
function formsOf(secret: string): string[] {
  const bytes = Buffer.from(secret);
  const forms = [secret, encodeURIComponent(secret)];
  for (let offset = 0; offset < 3; offset++) {
    const b64 = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const inner = b64.slice(Math.ceil(offset / 3) * 4, Math.floor((offset + bytes.length) / 3) * 4);
    forms.push(inner, inner.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...new Set(forms)];
}

function leaksIn(text: string): string[] {
  return Object.entries(SECRETS).flatMap(([name, secret]) =>
    formsOf(secret)
      .filter((form) => text.includes(form))
      .map((form) => `${name} as ${JSON.stringify(form)}`),
  );
}

/** A ClickHouse 18.16 of the test's own, whose user CH_USER has the password SECRETS.clickhousePassword. */
async function startClickHouseWithPassword(): Promise<{ url: string; close(): Promise<void> }> {
  const server = await startOwnClickHouse({
    users:
      `<${CH_USER}><password>${SECRETS.clickhousePassword}</password><networks><ip>127.0.0.1</ip></networks>` +
      `<profile>default</profile><quota>default</quota></${CH_USER}>`,
  });
  return { url: server.address, close: () => server.close() };
}

describe('no secret leaves the worker', function () {
  this.timeout(300_000);
  let env: TestWorkflowEnvironment;
  let clickhouse: { url: string; close(): Promise<void> };
  let api: RunningApiServer;
  let attacker: Server;
  const attackerRequests: IncomingMessage[] = [];
  let connection: Connection;
  let client: Client;
  let ch: ClickHouseClient;
  let worker: Spawned | undefined;
  let settings: Record<string, string>;
  const outputs: { what: string; text: string }[] = [];
  const queue = `leak-${tag}`;
  const database = `leak_${tag}`;
  const brokenDatabase = `leak_broken_${tag}`;
  const accepted = { email: EMAIL, apiKey: SECRETS.apiKey };

  before(async () => {
    env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'existing-path', path: TEMPORAL_BIN },
        searchAttributes: [RESOURCES_KEY, SYNC_MODE_KEY, ROWS_SYNCED_KEY],
        extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=40'],
      },
    });
    clickhouse = await startClickHouseWithPassword();
    ch = createClient({ url: clickhouse.url, username: CH_USER, password: SECRETS.clickhousePassword });
    api = await startApiServer({
      dataset: generateDataset(11, SIZE, new Date(Date.now() - 60_000)),
      credentials: accepted,
      maxItemsPerPage: 10,
    });
    attacker = createServer((req, res) => {
      attackerRequests.push(req);
      res.end('{}');
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', r));
    const address = env.connection.options.address;
    settings = {
      CLOCKODO_BASE_URL: api.url,
      // The API's origin too, so a path could try to walk out of /api, or to another host with `@`.
      WORKER_API_BASE_URLS: `${api.url},${new URL(api.url).origin}`,
      CLOCKODO_EMAIL: EMAIL,
      CLOCKODO_API_KEY: SECRETS.apiKey,
      CLICKHOUSE_URL: clickhouse.url,
      CLICKHOUSE_USER: CH_USER,
      CLICKHOUSE_PASSWORD: SECRETS.clickhousePassword,
      CLICKHOUSE_DATABASE: database,
      TEMPORAL_ADDRESS: address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      TEMPORAL_TASK_QUEUE: queue,
      SYNC_YEARS: YEARS.join(','),
      SYNC_START_DATE: `${YEARS[0]}-01-01`,
      SYNC_SECOND_CHANCE_SECONDS: '1',
      // Two pages of 10 per page run: reads take many runs, and continue as new.
      SYNC_PAGE_RUN_RECORDS: '20',
      WORKER_METRICS_ADDRESS: 'off',
      LOG_LEVEL: 'DEBUG',
    };
    connection = await Connection.connect({ address });
    client = new Client({ connection, namespace: settings.TEMPORAL_NAMESPACE });
  });

  after(async () => {
    if (worker && worker.proc.exitCode === null) {
      worker.proc.kill('SIGKILL');
      await worker.exit;
    }
    await connection?.close();
    await ch?.close();
    await api?.close();
    attacker?.close();
    await clickhouse?.close();
    await env?.teardown();
  });

  /** start-sync as an operator runs it, with the same settings as the worker; its output is kept. */
  async function startSync(
    what: string,
    extra: Record<string, string> = {},
    during?: (p: Spawned) => Promise<void>,
  ) {
    const p = runCommand('client/start-sync.ts', { ...settings, ...extra });
    await during?.(p);
    const code = await p.exit;
    outputs.push({ what: `start-sync (${what})`, text: p.output() });
    return { code, output: p.output() };
  }

  it('workers that refuse to start say why, and name no secret', async () => {
    const wrong = runCommand('worker/main.ts', {
      ...settings,
      CLICKHOUSE_PASSWORD: SECRETS.wrongClickhousePassword,
    });
    assert.equal(await wrong.exit, 2, wrong.output()); // a setting to fix: exit 2
    assert.match(
      wrong.output(),
      /"message":"worker failed".*CLICKHOUSE_USER\/CLICKHOUSE_PASSWORD: .* refused user leak_writer/,
    );
    outputs.push({ what: 'worker with a wrong ClickHouse password', text: wrong.output() });

    const real = { ...settings, CLOCKODO_BASE_URL: 'https://my.clockodo.com/api' } as Record<string, string>;
    delete real.CLOCKODO_API_KEY;
    delete real.WORKER_API_BASE_URLS;
    const keyless = runCommand('worker/main.ts', real);
    assert.equal(await keyless.exit, 2, keyless.output());
    assert.match(
      keyless.output(),
      /"message":"worker failed","error":"no API key configured: set CLOCKODO_API_KEY/,
    );
    outputs.push({ what: 'worker for a real API without a key', text: keyless.output() });
  });

  it('runs a sync that succeeds, one refused by the API, one failed by ClickHouse and a cancelled one', async () => {
    worker = runCommand('worker/main.ts', settings);
    await waitForText(worker, /"message":"worker started"/, 90);

    const ok = await startSync('success');
    assert.equal(ok.code, 0, ok.output);

    // The API no longer takes the worker's key (the server reads its account at each request): a 401.
    accepted.apiKey = `rotated-${tag}`;
    const refused = await startSync('401');
    accepted.apiKey = SECRETS.apiKey;
    assert.equal(refused.code, 1, refused.output);
    assert.match(refused.output, /answered 401/);

    // A table of the wrong shape where the seen ids go: ClickHouse rejects the page's insert.
    await ch.command({ query: `CREATE DATABASE ${brokenDatabase}` });
    await ch.command({
      query: `CREATE TABLE ${brokenDatabase}._sync_seen (x UInt8) ENGINE = MergeTree ORDER BY x`,
    });
    const broken = await startSync('ClickHouse error', { CLICKHOUSE_DATABASE: brokenDatabase }, undefined);
    assert.equal(broken.code, 1, broken.output);
    assert.match(broken.output, /ClickHouse at 127\.0\.0\.1:\d+/);

    // Entries stall: cancelled while their pages are in flight.
    api.injectFault({ kind: 'stall-headers', times: 1000, pathPrefix: '/v2/entries', stallMs: 60_000 });
    const stalled = api.requestLog.length;
    const cancelled = await startSync('cancelled', {}, async (p) => {
      const [, id] = await waitForText(p, /^started .*: (clockodo-sync-\S+)$/m, 60);
      for (let i = 0; !api.requestLog.slice(stalled).some((r) => r.fault === 'stall-headers'); i++) {
        assert.ok(i < 300, 'no entries page was requested');
        await new Promise((r) => setTimeout(r, 100));
      }
      await client.workflow.getHandle(id).cancel();
    });
    api.clearFaults();
    assert.equal(cancelled.code, 5, cancelled.output);
  });

  it('a client writing its own input cannot make the worker send another secret, or send the key elsewhere', async () => {
    const vars = resolveVariables(settings);
    const args = parseSyncArgs(['--resources', 'projects']);
    const other = syncInputFromSettings(vars, args);
    // The validation a client would skip: its input goes to Temporal as it is.
    other.config.client.auth = {
      type: 'basic',
      username: '${CLOCKODO_EMAIL}',
      password: '${CLICKHOUSE_PASSWORD}',
    };
    const asPassword = await runSync(client, other, { taskQueue: queue });
    assert.equal(asPassword.ok, false);
    assert.match(
      asPassword.ok ? '' : asPassword.message,
      /\$\{CLICKHOUSE_PASSWORD\} is not on this worker's list/,
    );

    const elsewhere = syncInputFromSettings(vars, args);
    const port = (attacker.address() as AddressInfo).port;
    elsewhere.config.client.base_url = `http://127.0.0.1:${port}/api`;
    const sent = await runSync(client, elsewhere, { taskQueue: queue });
    assert.equal(sent.ok, false);
    assert.match(
      sent.ok ? '' : sent.message,
      /sends its API credentials only to http:\/\/127\.0\.0\.1:\d+\/api, http:\/\/127\.0\.0\.1:\d+, not to http:\/\/127\.0\.0\.1:\d+\/api/,
    );
    assert.equal(attackerRequests.length, 0, 'the other server received a request');
  });

  it('a path from the input cannot move a request off the allowed base URLs', async () => {
    const vars = resolveVariables(settings);
    const args = parseSyncArgs(['--resources', 'projects']);
    const origin = new URL(api.url).origin;
    const port = (attacker.address() as AddressInfo).port;
    const before = api.requestLog.length;
    const tricks = [
      // Joined to the bare origin: the user part of a URL, and the host the attacker listens on.
      { base: origin, path: `@127.0.0.1:${port}/steal`, why: /endpoint\.path must start with "\/"/ },
      { base: origin, path: '.evil.example/steal', why: /endpoint\.path must start with "\/"/ },
      { base: api.url, path: '/../admin', why: /endpoint\.path must not hold "\." or "\.\." segments/ },
      { base: api.url, path: '/v2/%2e%2e/%2e%2e/admin', why: /endpoint\.path must not hold encoded dots/ },
    ];
    for (const trick of tricks) {
      const input = syncInputFromSettings(vars, args);
      input.config.client.base_url = trick.base;
      input.config.resources = input.config.resources.map((r) =>
        r.name === 'projects' ? { ...r, endpoint: { ...r.endpoint, path: trick.path } } : r,
      );
      const result = await runSync(client, input, { taskQueue: queue });
      assert.equal(result.ok, false, trick.path);
      assert.match(result.ok ? '' : result.message, trick.why);
    }
    assert.equal(attackerRequests.length, 0, 'the attacker received a request');
    const reached = api.requestLog.slice(before).map((r) => r.path);
    assert.deepEqual(reached, [], `the API was asked for ${reached.join(', ')}`);
  });

  it('start-sync refuses a secret named outside client.auth, and commands never print one', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'leak-config-'));
    try {
      const preset = readFileSync(path.join(PROJECT_ROOT, 'config/sources/clockodo-v2.json'), 'utf8');
      type Raw = {
        client: { base_url: string; headers: Record<string, string> };
        resources: { endpoint: { params?: Record<string, string> } }[];
      };
      const attacks: [string, (c: Raw) => void, RegExp][] = [
        [
          'a header',
          (c) => (c.client.headers['X-Leak'] = '${CLICKHOUSE_PASSWORD}'),
          /client\.headers\.X-Leak: refers to \$\{CLICKHOUSE_PASSWORD\}/,
        ],
        [
          'a parameter',
          (c) => (c.resources[0].endpoint.params = { q: '${CLOCKODO_API_KEY}' }),
          /resources\[0\]\.endpoint\.params\.q: refers to \$\{CLOCKODO_API_KEY\}/,
        ],
        [
          'the host',
          (c) => (c.client.base_url = 'https://${CLOCKODO_API_KEY}.example.com/api'),
          /client\.base_url: refers to \$\{CLOCKODO_API_KEY\}/,
        ],
        [
          'the base URL itself',
          (c) => (c.client.base_url = '${CLOCKODO_API_KEY}'),
          /client\.base_url: refers to \$\{CLOCKODO_API_KEY\}/,
        ],
      ];
      for (const [where, change, says] of attacks) {
        const config = JSON.parse(preset) as Raw;
        change(config);
        const file = path.join(dir, 'config.json');
        writeFileSync(file, JSON.stringify(config));
        const { code, output } = await startSync(`a secret in ${where}`, { SOURCE_CONFIG: file });
        assert.equal(code, 2, output);
        assert.match(output, says);
      }

      // A ClickHouse URL with the user and password in it: report and status show it without them.
      const withPassword = clickhouse.url.replace('://', `://${CH_USER}:${SECRETS.clickhousePassword}@`);
      for (const [what, script, args] of [
        ['report', 'client/report.ts', []],
        ['status', 'client/start-sync.ts', ['status']],
      ] as const) {
        const p = runCommand(script, { ...settings, CLICKHOUSE_URL: withPassword }, [...args]);
        const code = await p.exit;
        outputs.push({ what: `${what} with credentials in CLICKHOUSE_URL`, text: p.output() });
        assert.equal(code, 0, p.output());
        assert.match(p.output(), /http:\/\/127\.0\.0\.1:\d+ \(credentials not shown\)/);
      }

      // A Temporal config file that does not parse, with an API key in it.
      const toml = path.join(dir, 'temporal.toml');
      writeFileSync(toml, `[profile.default]\napi_key = "${SECRETS.temporalApiKey}"\naddress = = broken\n`);
      const malformed = await startSync('a malformed TEMPORAL_CONFIG_FILE', { TEMPORAL_CONFIG_FILE: toml });
      assert.equal(malformed.code, 2, malformed.output);
      assert.match(malformed.output, /TEMPORAL_CONFIG_FILE/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no history, log line, output or run record holds a secret, in any encoding', async () => {
    // The worker finishes and writes its last lines.
    assert.ok(worker);
    worker.proc.kill('SIGTERM');
    assert.equal(await worker.exit, 0, worker.output().slice(-2000));
    outputs.push({ what: 'worker log', text: worker.output() });

    // Every run on the queue (visibility catches up within moments of a run closing).
    const histories: { id: string; status: string; text: string }[] = [];
    for (let attempt = 0; ; attempt++) {
      const listed = [];
      for await (const wf of client.workflow.list({ query: `TaskQueue = '${queue}'` })) listed.push(wf);
      if (listed.every((wf) => wf.status.name !== 'RUNNING') || attempt > 50) {
        for (const wf of listed) {
          const history = await client.workflow.getHandle(wf.workflowId, wf.runId).fetchHistory();
          histories.push({
            id: `${wf.workflowId} ${wf.runId}`,
            status: wf.status.name,
            text: historyText(history),
          });
        }
        break;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    const statuses = histories.map((h) => h.status);
    // 4 syncs by start-sync and 2 by the client, each with children; and reads that continued as new.
    assert.equal(statuses.filter((s) => s === 'RUNNING').length, 0, statuses.join(', '));
    assert.ok(histories.filter((h) => /^clockodo-sync-/.test(h.id)).length >= 6, statuses.join(', '));
    assert.ok(statuses.includes('CONTINUED_AS_NEW'), `no continued-as-new run: ${statuses.join(', ')}`);
    assert.ok(
      statuses.includes('CANCELLED') && statuses.includes('FAILED') && statuses.includes('COMPLETED'),
    );
    const all = histories.map((h) => h.text).join('\n');
    // What was read is what the runs did: the failures' causes are in it.
    for (const fact of [
      'HttpStatus401',
      'SecretNotAllowed',
      'ApiBaseUrlNotAllowed',
      'RequestUrlNotAllowed',
      'ClickHouse at 127.0.0.1',
      'json/plain',
    ])
      assert.ok(all.includes(fact), `the histories do not mention ${fact}`);

    let runs = '';
    for (const db of [database, brokenDatabase])
      runs += await (
        await ch.query({ query: `SELECT * FROM ${db}.sync_runs`, format: 'JSONEachRow' })
      ).text();
    assert.ok(/"ok"/.test(runs) && /"failed"/.test(runs) && /"cancelled"/.test(runs), runs);

    // The search itself finds a key where one is: Basic auth's encoding, at another offset too.
    assert.ok(
      leaksIn(`Authorization: Basic ${Buffer.from(`${EMAIL}:${SECRETS.apiKey}`).toString('base64')}`).length >
        0,
    );
    assert.ok(leaksIn(Buffer.from(`x${SECRETS.clickhousePassword}`).toString('base64url')).length > 0);

    const places = [
      ...histories.map((h) => ({ what: `history of ${h.id}`, text: h.text })),
      ...outputs,
      { what: 'sync_runs', text: runs },
    ];
    const logLines = worker
      .output()
      .split('\n')
      .filter((l) => l.trim() !== '');
    assert.ok(logLines.length > 50, `only ${logLines.length} log lines`);
    for (const { what, text } of places) assert.deepEqual(leaksIn(text), [], `a secret in ${what}`);
  });
});
