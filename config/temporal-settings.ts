// Where Temporal is and how to reach it, the way Temporal's own tools take it: an optional profile
// (TEMPORAL_PROFILE in TEMPORAL_CONFIG_FILE, default ~/.config/temporalio/temporal.toml) overridden
// by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY and TEMPORAL_TLS* variables. Unset, it is
// the local dev server. An API key or client certificate stays in the process: never in a request.
import { existsSync } from 'fs';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { hostPortSetting } from './host-port';
import { integerSetting } from './settings';
import { quotedValue, SettingsError } from './settings-error';

export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
export const DEFAULT_TEMPORAL_NAMESPACE = 'default';

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
  /** For both Connection.connect and NativeConnection.connect. */
  connection: {
    address: string;
    tls?: TLSConfig | boolean;
    apiKey?: string;
    metadata?: Record<string, string | Buffer>;
  };
  /** How it connects, for messages: never the key or certificate themselves. */
  security: string;
}

/** Pairs that make no sense alone, checked before envconfig reads any file. */
function checkPairs(vars: Record<string, string>): void {
  const cert = vars.TEMPORAL_TLS_CLIENT_CERT_PATH ?? vars.TEMPORAL_TLS_CLIENT_CERT_DATA;
  const key = vars.TEMPORAL_TLS_CLIENT_KEY_PATH ?? vars.TEMPORAL_TLS_CLIENT_KEY_DATA;
  if (cert && !key)
    throw new SettingsError(
      'TEMPORAL_TLS_CLIENT_KEY_PATH: a client certificate is set (TEMPORAL_TLS_CLIENT_CERT_*) but no key for it',
    );
  if (key && !cert)
    throw new SettingsError(
      'TEMPORAL_TLS_CLIENT_CERT_PATH: a client key is set (TEMPORAL_TLS_CLIENT_KEY_*) but no certificate for it',
    );
  const tls = vars.TEMPORAL_TLS;
  if (tls !== undefined && !/^(true|false|1|0)$/i.test(tls))
    throw new SettingsError(`TEMPORAL_TLS: must be true or false, got ${JSON.stringify(tls)}`);
}

/**
 * Why envconfig could not load the connection, in words that never repeat the file: a TOML parser's
 * message quotes the offending line, which may be an `api_key = ...` line. Only a line and column
 * number are kept of it.
 */
export function configLoadProblem(e: unknown, vars: Record<string, string>): SettingsError {
  const file = vars.TEMPORAL_CONFIG_FILE || 'the Temporal config file (~/.config/temporalio/temporal.toml)';
  const err = e as { name?: string; code?: string; path?: string; line?: unknown; column?: unknown };
  const message = e instanceof Error ? e.message : '';
  if (err.name === 'TomlError' || message.startsWith('Invalid TOML document')) {
    const where = typeof err.line === 'number' ? ` (line ${err.line}, column ${String(err.column)})` : '';
    return new SettingsError(`TEMPORAL_CONFIG_FILE: ${file} is not valid TOML${where}`);
  }
  // envconfig reads a file without any [profile.*] table as if it had none of the profile asked for.
  if (/^Profile '.*' not found/.test(message) || (e instanceof TypeError && / of undefined/.test(message)))
    return new SettingsError(
      `TEMPORAL_PROFILE: no profile ${quotedValue(vars.TEMPORAL_PROFILE ?? '')} in ${file}`,
    );
  // A certificate or key file the profile or a TEMPORAL_TLS_*_PATH names.
  if (err.code === 'ENOENT' && typeof err.path === 'string')
    return new SettingsError(
      `TEMPORAL_TLS_*: no file ${err.path} (named by a TEMPORAL_TLS_*_PATH or the profile)`,
    );
  if (e instanceof TypeError)
    return new SettingsError(
      `TEMPORAL_CONFIG_FILE: ${file} is not a Temporal config file (a [profile.<name>] table per profile)`,
    );
  // envconfig's own checks name fields, not values ("Cannot specify both client_cert_path and ...").
  if (/^Cannot specify both \w+ and \w+$/.test(message))
    return new SettingsError(`TEMPORAL_TLS_*: ${message}`);
  return new SettingsError(
    `TEMPORAL_PROFILE/TEMPORAL_CONFIG_FILE: cannot load the Temporal connection from ${file} (${err.code ?? err.name ?? 'error'})`,
  );
}

/** The settings' Temporal connection: a profile if there is one, the variables over it, then defaults. */
export function temporalSettings(vars: Record<string, string>): TemporalSettings {
  checkPairs(vars);
  // A file named on purpose must exist; the default file is optional (envconfig skips it when absent).
  const file = vars.TEMPORAL_CONFIG_FILE;
  if (file && !existsSync(file)) throw new SettingsError(`TEMPORAL_CONFIG_FILE: no file ${file}`);
  let loaded;
  try {
    loaded = loadClientConnectConfig({
      profile: vars.TEMPORAL_PROFILE || undefined,
      overrideEnvVars: vars,
      ...(file ? { configSource: { path: file } } : {}),
    });
  } catch (e) {
    // A file without any [profile.*] table (an empty one) trips envconfig up: it has no profiles.
    if (!(e instanceof TypeError && / of undefined/.test(e.message) && !vars.TEMPORAL_PROFILE))
      throw configLoadProblem(e, vars);
    loaded = loadClientConnectConfig({ overrideEnvVars: vars, disableFile: true });
  }
  const o = loaded.connectionOptions;
  const address = o.address ?? DEFAULT_TEMPORAL_ADDRESS;
  // Checked before any connection: gRPC's own error would not name the setting.
  const from =
    vars.TEMPORAL_ADDRESS !== undefined
      ? 'TEMPORAL_ADDRESS'
      : `TEMPORAL_ADDRESS (here the address of profile ${vars.TEMPORAL_PROFILE || 'default'} in TEMPORAL_CONFIG_FILE)`;
  hostPortSetting(typeof address === 'string' ? address : '', from, DEFAULT_TEMPORAL_ADDRESS);
  if (o.apiKey !== undefined && typeof o.apiKey !== 'string')
    throw new SettingsError('TEMPORAL_CONFIG_FILE: the api_key of the profile must be a string');
  const tls = o.tls as TLSConfig | boolean | undefined;
  const security = [
    tls
      ? typeof tls === 'object' && tls.clientCertPair
        ? 'TLS with a client certificate'
        : 'TLS'
      : 'plaintext',
    ...(o.apiKey ? ['API key'] : []),
    ...(vars.TEMPORAL_PROFILE ? [`profile ${vars.TEMPORAL_PROFILE}`] : []),
  ].join(', ');
  return {
    address,
    namespace: loaded.namespace ?? DEFAULT_TEMPORAL_NAMESPACE,
    taskQueue: vars.TEMPORAL_TASK_QUEUE,
    connection: {
      address,
      ...(tls !== undefined ? { tls } : {}),
      ...(o.apiKey ? { apiKey: o.apiKey } : {}),
      ...(o.metadata && Object.keys(o.metadata).length > 0 ? { metadata: o.metadata } : {}),
    },
    security,
  };
}

/** The port of the local Web UI that start-sync links to (the dev server's, 8233 by default). */
export function temporalUiPort(vars: Record<string, string>): number {
  return integerSetting(vars, 'TEMPORAL_UI_PORT', { min: 1, max: 65535, default: 8233 });
}
