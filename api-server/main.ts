// CLI: `ts-node api-server/main.ts` serves a generated dataset until SIGINT/SIGTERM.
// Environment: API_SERVER_PORT (8787), API_SERVER_HOST (127.0.0.1), API_SERVER_SEED (42),
// API_SERVER_SCALE (1), API_SERVER_NOW (ISO datetime, default: the start of
// the current UTC day, so servers started on one day serve the same data), CLOCKODO_EMAIL,
// CLOCKODO_API_KEY, API_SERVER_LATENCY_MS (0), API_SERVER_MAX_ITEMS_PER_PAGE (1000),
// API_SERVER_ALLOW_CONTROL (set to 1 to enable /__control/* routes).
import { DEFAULT_SIZE, generateDataset, scaleSize } from './data-generator';
import { startApiServer } from './server';
import { parseIsoParam } from './time';

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

async function main(): Promise<void> {
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
  const dataset = generateDataset(seed, scaleSize(DEFAULT_SIZE(now), scale), now);
  const server = await startApiServer({
    dataset,
    credentials: {
      email: process.env.CLOCKODO_EMAIL || 'demo@example.com',
      apiKey: process.env.CLOCKODO_API_KEY || 'local-demo-key',
    },
    host: process.env.API_SERVER_HOST || '127.0.0.1',
    port,
    latencyMs,
    maxItemsPerPage,
    allowControl: process.env.API_SERVER_ALLOW_CONTROL === '1',
  });
  // One line, machine-readable enough for scripts; never the API key.
  console.log(
    `Clockodo API server listening on ${server.url} ` +
      `(customers=${dataset.customers.length} projects=${dataset.projects.length} ` +
      `absences=${dataset.absences.length} entries=${dataset.entries.length} seed=${seed} scale=${scale})`,
  );

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
}

main().catch((err: unknown) => {
  console.error('api-server failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
