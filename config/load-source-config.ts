// Reads the configured source file and validates it against the current settings.
import { readFileSync } from 'fs';
import * as path from 'path';
import { ConfigError, validateSourceConfig } from './validate-source-config';
import { PROJECT_ROOT } from './settings';
import type { SourceConfig } from '../domain/source-config';

export function loadSourceConfig(vars: Record<string, string>): SourceConfig {
  const file = path.resolve(PROJECT_ROOT, vars.SOURCE_CONFIG);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(vars.SOURCE_CONFIG, [{ field: '(file)', problem: (e as Error).message }]);
  }
  return validateSourceConfig(raw, vars, vars.SOURCE_CONFIG);
}
