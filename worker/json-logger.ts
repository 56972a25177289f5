// The worker's log: one JSON object per line and event, with the workflow and activity ids Temporal
// attaches, and every secret of the worker's environment replaced before a line is written.
import { DefaultLogger, LogEntry, LogLevel } from '@temporalio/worker';

/** Names of settings whose values must never reach a log. */
const SECRET_NAME = /KEY|PASSWORD|SECRET|TOKEN/i;

/** The values of the secret settings in `vars` (long enough to be told apart from ordinary words). */
export function secretValues(vars: Record<string, string>): string[] {
  return Object.entries(vars)
    .filter(([name, value]) => SECRET_NAME.test(name) && value.length >= 4)
    .map(([, value]) => value);
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
  const secrets = secretValues(vars);
  return new DefaultLogger(level, (entry) => process.stdout.write(`${formatLogLine(entry, secrets)}\n`));
}
