// The webhook receiver's settings (`npm run webhooks`), each checked before it listens: where it
// listens, the token senders must show, and how the changes workflow batches events into syncs.
import { durationMs } from './schedule-settings';
import { hostPortSetting, HostPort } from '../config/host-port';
import { SettingsError } from '../config/settings-error';

export const DEFAULT_WEBHOOK_LISTEN = '127.0.0.1:8790';
/** A token shorter than this could be guessed; Clockodo lets the user choose it. */
export const MIN_TOKEN_LENGTH = 16;

export interface WebhookSettings {
  listen: HostPort;
  /** The token every event must carry. Kept in this process only: never logged, never sent to Temporal. */
  token: string;
  debounceMs: number;
  idleMs: number;
  lockWaitMs: number;
}

const BOUNDS = {
  WEBHOOK_DEBOUNCE: { min: 0, max: 600_000, text: '0s to 10m' },
  WEBHOOK_IDLE: { min: 60_000, max: 86_400_000, text: '1m to 1d' },
  WEBHOOK_LOCK_WAIT: { min: 0, max: 7 * 86_400_000, text: '0s to 7d' },
};

export function webhookSettings(vars: Record<string, string>): WebhookSettings {
  const token = vars.WEBHOOK_TOKEN ?? '';
  if (!token)
    throw new SettingsError(
      `WEBHOOK_TOKEN: not set; choose a random token of ${MIN_TOKEN_LENGTH} characters or more ` +
        '(e.g. `openssl rand -hex 24`) and enter the same one in each Clockodo webhook',
    );
  // The value itself is never repeated: it is a secret.
  if (token.length < MIN_TOKEN_LENGTH)
    throw new SettingsError(
      `WEBHOOK_TOKEN: ${token.length} characters is too short to resist guessing; use ${MIN_TOKEN_LENGTH} or more`,
    );
  if (/\s/.test(token)) throw new SettingsError('WEBHOOK_TOKEN: holds whitespace; use letters and digits');
  const duration = (name: keyof typeof BOUNDS, fallback: string) =>
    durationMs(vars[name] ?? fallback, name, BOUNDS[name]);
  return {
    listen: hostPortSetting(
      vars.WEBHOOK_LISTEN ?? DEFAULT_WEBHOOK_LISTEN,
      'WEBHOOK_LISTEN',
      DEFAULT_WEBHOOK_LISTEN,
    ),
    token,
    debounceMs: duration('WEBHOOK_DEBOUNCE', '2s'),
    idleMs: duration('WEBHOOK_IDLE', '10m'),
    lockWaitMs: duration('WEBHOOK_LOCK_WAIT', '1h'),
  };
}
