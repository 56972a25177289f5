// CLI: `ts-node api-server/main.ts` serves a generated dataset until SIGINT/SIGTERM.
// Environment: API_SERVER_PORT (8787), API_SERVER_HOST (127.0.0.1), API_SERVER_SEED (42),
// API_SERVER_SCALE (1, multiplies every count), API_SERVER_CUSTOMERS, API_SERVER_PROJECTS,
// API_SERVER_ABSENCES_PER_YEAR, API_SERVER_ENTRIES, API_SERVER_USERS (single counts), API_SERVER_YEARS
// (how many years of data, ending with the current one: 3),
// API_SERVER_NOW (ISO datetime; default: the start of the current UTC day, so servers started on one
// day serve the same data), API_SERVER_LATENCY_MS (0), API_SERVER_MAX_ITEMS_PER_PAGE (1000),
// API_SERVER_ALLOW_CONTROL (1 enables the /__control/* routes), API_SERVER_WORKTIMES_UNTIL ('inclusive',
// the default, or 'exclusive': whether /v2/workTimes and /v2/workTimes/changeRequests include the
// date_until day; the docs do not say), API_WEBHOOK_URL (one or more comma-separated http(s) URLs: every
// write is POSTed there as a Clockodo-style webhook) with API_WEBHOOK_TOKEN (required with it; sent as
// `Authorization: Bearer <token>`, never printed). The account is the pipeline's own:
// CLOCKODO_EMAIL and CLOCKODO_API_KEY from the environment or .env.
import { DEFAULT_SIZE, generateDataset, scaleSize } from './data-generator';
import { WorkTimesUntil } from './endpoints';
import { startApiServer } from './server';
import { readEnv, resolveVariables } from '../config/settings';
import { parseIsoParam } from './time';
import { shownUrl, webhookConfigFromEnv } from './webhooks';

function numberFromEnv(name: string, fallback: number, valid: (n: number) => boolean): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !valid(value)) throw new Error(`${name} is invalid: ${raw}`);
  return value;
}

function nowFromEnv(): Date {
  const raw = process.env.API_SERVER_NOW;
  if (!raw) return new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
  const ms = parseIsoParam(raw);
  if (ms === null) throw new Error(`API_SERVER_NOW is not an ISO 8601 datetime: ${raw}`);
  return new Date(ms);
}

function workTimesUntilFromEnv(): WorkTimesUntil {
  const raw = (process.env.API_SERVER_WORKTIMES_UNTIL ?? '').trim();
  if (raw === '') return 'inclusive';
  if (raw === 'inclusive' || raw === 'exclusive') return raw;
  throw new Error(`API_SERVER_WORKTIMES_UNTIL must be inclusive or exclusive: ${raw}`);
}

/** The last `n` years, the current one included. */
const yearsBack = (now: Date, n: number): number[] =>
  Array.from({ length: n }, (_, i) => now.getUTCFullYear() - n + 1 + i);

async function main(): Promise<void> {
  const vars = resolveVariables(readEnv());
  const port = numberFromEnv('API_SERVER_PORT', 8787, (n) => Number.isInteger(n) && n >= 0 && n < 65536);
  const seed = numberFromEnv('API_SERVER_SEED', 42, Number.isInteger);
  const scale = numberFromEnv('API_SERVER_SCALE', 1, (n) => n > 0);
  const latencyMs = numberFromEnv('API_SERVER_LATENCY_MS', 0, (n) => n >= 0);
  const maxItemsPerPage = numberFromEnv(
    'API_SERVER_MAX_ITEMS_PER_PAGE',
    1000,
    (n) => Number.isInteger(n) && n > 0,
  );
  const now = nowFromEnv();
  const scaled = scaleSize(DEFAULT_SIZE(now), scale);
  // Each count may also be set on its own; it wins over the scaled default.
  const count = (name: string, fallback: number) =>
    numberFromEnv(name, fallback, (n) => Number.isInteger(n) && n > 0);
  const size = {
    ...scaled,
    customers: count('API_SERVER_CUSTOMERS', scaled.customers),
    projects: count('API_SERVER_PROJECTS', scaled.projects),
    absencesPerYear: count('API_SERVER_ABSENCES_PER_YEAR', scaled.absencesPerYear),
    entries: count('API_SERVER_ENTRIES', scaled.entries),
    users: count('API_SERVER_USERS', scaled.users),
    years: yearsBack(now, count('API_SERVER_YEARS', scaled.years.length)),
  };
  const webhooks = webhookConfigFromEnv(process.env);
  const dataset = generateDataset(seed, size, now);
  const server = await startApiServer({
    dataset,
    credentials: {
      // The same account the pipeline's settings name (environment, then .env, then the demo default).
      email: vars.CLOCKODO_EMAIL,
      apiKey: vars.CLOCKODO_API_KEY,
    },
    host: process.env.API_SERVER_HOST || '127.0.0.1',
    port,
    latencyMs,
    maxItemsPerPage,
    workTimesUntil: workTimesUntilFromEnv(),
    allowControl: process.env.API_SERVER_ALLOW_CONTROL === '1',
    webhooks,
  });
  // Before the lines below: a script may send SIGTERM as soon as it reads them.
  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`api-server: error while closing after ${signal}:`, err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // One line, machine-readable enough for scripts; never the API key.
  console.log(
    `Clockodo API server listening on ${server.url} ` +
      `(customers=${dataset.customers.length} projects=${dataset.projects.length} ` +
      `absences=${dataset.absences.length} entries=${dataset.entries.length} seed=${seed} scale=${scale})`,
  );
  // Where writes are announced: the URLs without their query strings (a secret may ride there), no token.
  console.log(
    webhooks
      ? `Webhooks: POST to ${webhooks.urls.map(shownUrl).join(', ')} with the API_WEBHOOK_TOKEN bearer token`
      : 'Webhooks: off (set API_WEBHOOK_URL and API_WEBHOOK_TOKEN to send them)',
  );
}

main().catch((err: unknown) => {
  console.error('api-server failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
