// The error of a setting that cannot be used: its message names the setting and the problem. Exit 2.
export class SettingsError extends Error {
  override name = 'SettingsError';
}

/**
 * A bad value of a setting that cannot hold a secret, quoted for a message and cut short: a pasted
 * megabyte must not become a megabyte of output. Settings that may hold a secret (URLs, addresses,
 * keys, config files) are never quoted at all.
 */
export function quotedValue(text: string, max = 40): string {
  return JSON.stringify(shortened(text, max));
}

/** Text cut to `max` characters, with `…` where it was cut. */
export function shortened(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
