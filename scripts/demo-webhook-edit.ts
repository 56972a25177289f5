// The demo's last step: an edit made through the local API server (PUT /v2/entries/<id>, as a user's
// change in Clockodo) reaches ClickHouse through the webhook the server sends, the receiver and the
// changes workflow. Prints how long it took. Only against the local API server: never edits a real account.
import { connectClickHouse } from '../clickhouse/connection';
import { clickHouseSettings, isLoopbackUrl, readEnv, resolveVariables } from '../config/settings';

const TIMEOUT_MS = 60_000;

async function main(): Promise<number> {
  const vars = resolveVariables(readEnv());
  const base = vars.CLOCKODO_BASE_URL;
  if (!isLoopbackUrl(base)) {
    console.log('webhook demo skipped: CLOCKODO_BASE_URL is not the local API server');
    return 0;
  }
  const headers = {
    'X-ClockodoApiUser': vars.CLOCKODO_EMAIL,
    'X-ClockodoApiKey': vars.CLOCKODO_API_KEY,
    'X-Clockodo-External-Application': vars.CLOCKODO_EXTERNAL_APP,
    'Content-Type': 'application/json',
  };
  const day = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const now = Date.now();
  const list = await fetch(
    `${base}/v2/entries?time_since=${iso(now - 14 * day)}&time_until=${iso(now - day)}&page=1`,
    { headers },
  );
  const entries =
    ((await list.json()) as { entries?: { id: number; time_until: string | null }[] }).entries ?? [];
  const entry = entries.find((e) => e.time_until !== null);
  if (!entry) throw new Error('no entry of the last two weeks to edit');
  const text = `edited by the demo at ${iso(Date.now())}`;
  const started = Date.now();
  const put = await fetch(`${base}/v2/entries/${entry.id}`, {
    method: 'PUT',
    headers,
    body: JSON.stringify({ text }),
  });
  if (!put.ok) throw new Error(`PUT /v2/entries/${entry.id} answered ${put.status}`);
  console.log(
    `edited entry ${entry.id} through the local API server; it sends entry.updated to the webhook receiver`,
  );
  const settings = clickHouseSettings(vars);
  const ch = connectClickHouse(settings);
  try {
    for (;;) {
      const rs = await ch.query({
        query: `SELECT text FROM ${settings.database}.entries_current WHERE id = ${Number(entry.id)}`,
        format: 'JSONEachRow',
      });
      const [row] = await rs.json<{ text: string }>();
      if (row?.text === text) break;
      if (Date.now() - started > TIMEOUT_MS) {
        console.error(
          `the edit did not reach ClickHouse within ${TIMEOUT_MS / 1000} s: see .services/demo/webhooks.log`,
        );
        return 1;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await ch.close();
  }
  console.log(
    `the edit is in ${settings.database}.entries_current ${((Date.now() - started) / 1000).toFixed(1)} s later, ` +
      'through its webhook (no schedule, no start-sync)',
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`webhook demo: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
