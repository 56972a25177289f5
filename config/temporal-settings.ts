// Where Temporal is and how to reach it, the way Temporal's own tools take it: an optional profile
// (TEMPORAL_PROFILE in TEMPORAL_CONFIG_FILE, default ~/.config/temporalio/temporal.toml) overridden
// by TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY and TEMPORAL_TLS* variables. Unset, it is
// the local dev server. An API key or client certificate stays in the process: never in a request.
import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/common/lib/internal-non-workflow';
import { SettingsError } from './settings';

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

/** The settings' Temporal connection: a profile if there is one, the variables over it, then defaults. */
export function temporalSettings(vars: Record<string, string>): TemporalSettings {
  checkPairs(vars);
  let loaded;
  try {
    loaded = loadClientConnectConfig({
      profile: vars.TEMPORAL_PROFILE,
      overrideEnvVars: vars,
      // A profile named on purpose must exist; the default file is optional.
      ...(vars.TEMPORAL_CONFIG_FILE ? { configSource: { path: vars.TEMPORAL_CONFIG_FILE } } : {}),
    });
  } catch (e) {
    const where = vars.TEMPORAL_CONFIG_FILE ?? 'the Temporal config file';
    throw new SettingsError(
      `TEMPORAL_PROFILE/TEMPORAL_CONFIG_FILE/TEMPORAL_TLS_*: cannot load the Temporal connection from ${where}: ${(e as Error).message}`,
    );
  }
  const o = loaded.connectionOptions;
  const address = o.address ?? DEFAULT_TEMPORAL_ADDRESS;
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
