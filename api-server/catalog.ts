// Facts the API knows but the Dataset does not carry (users, lump-sum service prices). Derived from the
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
