// Turns settings and command-line choices into a validated workflow input, before anything starts.
import { loadSourceConfig } from '../config/load-source-config';
import type { SourceConfig } from '../config/source-config-types';
import { destinationOf, runOptions } from '../config/settings';
import type { SyncInput, SyncMode } from '../shared/types';

export class UsageError extends Error {
  override name = 'UsageError';
}

export interface SyncArgs {
  resources?: string[];
  mode: SyncMode;
  allowMassDelete: boolean;
  wait: boolean;
}

export function parseSyncArgs(argv: string[]): SyncArgs {
  const args: SyncArgs = { mode: 'incremental', allowMassDelete: false, wait: true };
  const setMode = (mode: SyncMode, flag: string) => {
    if (args.mode !== 'incremental' && args.mode !== mode)
      throw new UsageError(`${flag} cannot be combined with another run kind (--reconcile, --full-refresh)`);
    args.mode = mode;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const [flag, inline] = arg.split(/=(.*)/s, 2);
    if (flag === '--resources') {
      const value = inline ?? argv[++i];
      if (!value)
        throw new UsageError('--resources needs a comma-separated list, e.g. --resources projects,entries');
      args.resources = value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
    } else if (arg === '--full-refresh') {
      setMode('full_refresh', arg);
    } else if (arg === '--reconcile') {
      setMode('reconcile', arg);
    } else if (arg === '--allow-mass-delete') {
      args.allowMassDelete = true;
    } else if (arg === '--no-wait') {
      args.wait = false;
    } else {
      throw new UsageError(
        `unknown argument ${JSON.stringify(arg)} (known: --resources a,b  --reconcile  --full-refresh  --allow-mass-delete  --no-wait)`,
      );
    }
  }
  return args;
}

export function buildSyncInput(
  config: SourceConfig,
  args: SyncArgs,
  base: Pick<SyncInput, 'destination' | 'options'>,
): SyncInput {
  const names = config.resources.map((r) => r.name);
  const resources = args.resources ?? names;
  const unknown = resources.filter((r) => !names.includes(r));
  if (unknown.length) {
    throw new UsageError(
      `--resources: unknown ${unknown.join(', ')} (this configuration has: ${names.join(', ')})`,
    );
  }
  if (resources.length === 0) throw new UsageError('--resources: the list is empty');
  // Keep the configuration's order, and each name once.
  return {
    config,
    resources: names.filter((n) => resources.includes(n)),
    mode: args.mode,
    destination: base.destination,
    options: { ...base.options, allowMassDelete: args.allowMassDelete },
  };
}

export function syncInputFromSettings(vars: Record<string, string>, args: SyncArgs): SyncInput {
  return buildSyncInput(loadSourceConfig(vars), args, {
    destination: destinationOf(vars),
    options: runOptions(vars),
  });
}
