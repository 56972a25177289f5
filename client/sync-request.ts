// Turns settings and command-line choices into a validated workflow input, before anything starts.
import { loadSourceConfig } from '../config/load-source-config';
import type { SourceConfig } from '../domain/source-config';
import { destinationOf, runOptions, runRules } from '../config/settings';
import type { SyncInput, SyncMode } from '../domain/types';
import { quotedValue, shortened } from '../config/settings-error';
import { UsageError } from './exit-codes';

export { UsageError } from './exit-codes';

export interface SyncArgs {
  /** `status` shows recent runs instead of starting one. */
  status?: boolean;
  /** `--check`: validate everything and say what would start, without connecting to Temporal. */
  check?: boolean;
  resources?: string[];
  mode: SyncMode;
  allowMassDelete: boolean;
  wait: boolean;
  help: boolean;
}

/** `start-sync --help`: every option and exit code. */
export const START_SYNC_HELP = `Usage: npm run start-sync -- [options]

Starts a sync of the Clockodo API into ClickHouse on the Temporal workers of TEMPORAL_TASK_QUEUE,
follows it with live progress, and prints a summary. The destination is CLICKHOUSE_URL and
CLICKHOUSE_DATABASE (sent in the request; workers hold the credentials). Settings come from the
environment and .env (see docs/configuration.md).

Run kinds (one at most; default: incremental):
  (none)               incremental: entries starting from the cursor / SYNC_LOOKBACK_DAYS back to
                       SYNC_HORIZON_DAYS ahead; lists and absence years in full
  --reconcile          re-read the whole entries history from SYNC_START_DATE in parallel windows
  --full-refresh       like --reconcile, and mark deleted whatever the tables hold outside what it read

Options:
  --resources a,b      only these resources (default: all in the configuration)
  --allow-mass-delete  let this run mark more than SYNC_MAX_DELETE_SHARE of a scope deleted
  --no-wait            start the sync and return; follow it in the Temporal Web UI
  --check              check settings, configuration and arguments and print what would start,
                       without connecting to Temporal (exit 0 or 2)
  --help               this text

  status               instead of a sync: stuck runs, recent runs (from sync_runs) and the schedules
  release-stuck [ID] [--yes]
                       end the sync runs of stuck workflows and free their locks (release-stuck --help)

Exit codes:
  0  the sync finished ok
  1  the sync failed (the cause is printed)
  2  bad configuration, setting or argument (nothing started)
  3  Temporal cannot be reached (for status also ClickHouse)
  4  the sync finished degraded: a part could not be read consistently, or deletions were held back
  5  the sync was cancelled (from the Web UI or the CLI)
  130  you stopped following it (Ctrl-C); the sync goes on
`;

export function parseSyncArgs(argv: string[]): SyncArgs {
  const args: SyncArgs = { mode: 'incremental', allowMassDelete: false, wait: true, help: false };
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
    } else if (arg === '--check') {
      args.check = true;
    } else if (arg === '--help' || arg === '-h') {
      args.help = true;
    } else if (arg === 'status' && i === 0) {
      args.status = true;
    } else {
      throw new UsageError(
        `unknown argument ${quotedValue(arg)} (known: --resources a,b  --reconcile  --full-refresh  --allow-mass-delete  --no-wait  --check  --help)`,
      );
    }
  }
  if (
    args.status &&
    (args.resources || args.mode !== 'incremental' || args.allowMassDelete || !args.wait || args.check)
  )
    throw new UsageError('status takes no options (only --help)');
  return args;
}

export function buildSyncInput(
  config: SourceConfig,
  args: SyncArgs,
  base: Pick<SyncInput, 'destination' | 'options' | 'rules'>,
): SyncInput {
  const names = config.resources.map((r) => r.name);
  const resources = args.resources ?? names;
  const unknown = resources.filter((r) => !names.includes(r));
  if (unknown.length) {
    throw new UsageError(
      `--resources: unknown ${unknown
        .slice(0, 5)
        .map((r) => shortened(r))
        .join(
          ', ',
        )}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} (this configuration has: ${names.join(', ')})`,
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
    ...(base.rules ? { rules: base.rules } : {}),
  };
}

export function syncInputFromSettings(vars: Record<string, string>, args: SyncArgs): SyncInput {
  return buildSyncInput(loadSourceConfig(vars), args, {
    destination: destinationOf(vars),
    options: runOptions(vars),
    rules: runRules(vars),
  });
}
