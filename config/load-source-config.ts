// Reads the configured source file and validates it against the current settings. Deprecated keys
// still work: each is reported once per process on stderr (a schedule or a report loads the file
// more than once), never as an error.
import { readFileSync } from 'fs';
import * as path from 'path';
import { checkSourceConfig, ConfigError } from './validate-source-config';
import { PROJECT_ROOT } from './settings';
import type { SourceConfig } from '../domain/source-config';

const reported = new Set<string>();

function warnOnce(source: string, deprecation: string): void {
  const line = `${source}: ${deprecation}`;
  if (reported.has(line)) return;
  reported.add(line);
  process.stderr.write(`warning: ${line}\n`);
}

export function loadSourceConfig(
  vars: Record<string, string>,
  warn: (source: string, deprecation: string) => void = warnOnce,
): SourceConfig {
  const file = path.resolve(PROJECT_ROOT, vars.SOURCE_CONFIG);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(vars.SOURCE_CONFIG, [{ field: '(file)', problem: (e as Error).message }]);
  }
  const { config, deprecations } = checkSourceConfig(raw, vars, vars.SOURCE_CONFIG);
  for (const deprecation of deprecations) warn(vars.SOURCE_CONFIG, deprecation);
  return config;
}
