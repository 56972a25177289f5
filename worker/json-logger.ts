// The worker's log: one JSON object per line and event, with the workflow and activity ids Temporal
// attaches, and every secret of the worker's environment (and its Base64 forms, as in a Basic auth
// header) replaced before a line is written.
import { DefaultLogger, LogEntry, LogLevel } from '@temporalio/worker';

/** Names of settings whose values must never reach a log. */
const SECRET_NAME = /KEY|PASSWORD|SECRET|TOKEN/i;

/**
 * The values of the secret settings in `vars`, by name or because WORKER_SECRET_NAMES lists them
 * (long enough to be told apart from ordinary words).
 */
export function secretValues(vars: Record<string, string>): string[] {
  const listed = new Set((vars.WORKER_SECRET_NAMES ?? '').split(',').map((s) => s.trim()));
  // WORKER_SECRET_NAMES itself holds names, not secrets.
  const secret = (name: string) =>
    name !== 'WORKER_SECRET_NAMES' && (SECRET_NAME.test(name) || listed.has(name));
  return Object.entries(vars)
    .filter(([name, value]) => secret(name) && value.length >= 4)
    .map(([, value]) => value);
}

/**
 * The stretches of Base64 that any encoding of `secret` contains, whatever comes before it (Basic
 * auth encodes `user:key`, so the key starts at any of the three byte offsets of a Base64 group).
 * Too short a stretch would match ordinary text, so those are left out.
 */
export function base64Forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const forms: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    // Whole groups of 3 bytes that hold only the secret's bytes.
    const first = Math.ceil(offset / 3);
    const end = Math.floor((offset + bytes.length) / 3);
    const stretch = encoded.slice(first * 4, end * 4);
    if (stretch.length >= 8) forms.push(stretch, stretch.replace(/\+/g, '-').replace(/\//g, '_'));
  }
  return [...new Set(forms)];
}

export function formatLogLine(entry: LogEntry, secrets: string[]): string {
  const { sdkComponent, ...meta } = (entry.meta ?? {}) as Record<string, unknown>;
  let line = JSON.stringify({
    time: new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString(),
    level: entry.level,
    message: entry.message,
    ...(sdkComponent !== undefined ? { component: sdkComponent } : {}),
    ...meta,
  });
  for (const secret of secrets) line = line.split(secret).join('[redacted]');
  return line;
}

export function jsonLogger(level: LogLevel, vars: Record<string, string>): DefaultLogger {
  const values = secretValues(vars);
  // Longest first, so a value inside another's stretch does not leave the rest of it behind.
  const secrets = [...values, ...values.flatMap(base64Forms)].sort((a, b) => b.length - a.length);
  return new DefaultLogger(level, (entry) => process.stdout.write(`${formatLogLine(entry, secrets)}\n`));
}
