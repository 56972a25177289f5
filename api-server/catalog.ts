// Facts the generator and the server share (user names, lump-sum service prices, the service ids). Derived from the
// id alone so the generator and the server's enhanced_list agree without sharing state.
import { FIRST_NAMES, LAST_NAMES } from './vocabulary';

export function userName(usersId: number): string {
  const first = FIRST_NAMES[usersId % FIRST_NAMES.length];
  const last = LAST_NAMES[Math.floor(usersId / FIRST_NAMES.length) % LAST_NAMES.length];
  return `${first} ${last}`;
}

/** Unit price of a lump-sum service, in the account's currency. */
export function lumpsumServicePrice(lumpsumServicesId: number): number {
  return 15 + (lumpsumServicesId % 7) * 12.5;
}

/** The services entries book on; /v2/services lists exactly these. */
export const SERVICE_IDS: readonly number[] = [3101, 3102, 3107, 3115, 3120, 3144];

/** The lump-sum services entries book on; /v2/lumpsumservices lists exactly these. */
export const LUMPSUM_SERVICE_IDS: readonly number[] = [401, 402, 405, 411];
