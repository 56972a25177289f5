// Customers: company-like names; the first few records carry the awkward cases (in priority order, so a
// small dataset still gets the most important ones).
import { idPool, MAX_INT32 } from './ids';
import { Rng } from './random';
import { Customer } from './types';
import {
  AWKWARD_CUSTOMER_NAMES,
  AWKWARD_TEXTS,
  COMPANY_FORMS,
  COMPANY_STEMS,
  COMPANY_TRADES,
  NOTE_SENTENCES,
} from './vocabulary';

const CUSTOMER_OVERRIDES: ((c: Customer) => void)[] = [
  (c) => Object.assign(c, { name: AWKWARD_CUSTOMER_NAMES[0], number: null, note: null, active: false }),
  (c) => Object.assign(c, { name: AWKWARD_CUSTOMER_NAMES[1], number: '', note: '' }),
  (c) =>
    Object.assign(c, { name: AWKWARD_CUSTOMER_NAMES[3], note: 'Zeile 1\nZeile 2\tmit Tab \\ und "Zitat"' }),
  (c) => Object.assign(c, { name: AWKWARD_CUSTOMER_NAMES[2], note: AWKWARD_TEXTS[4] }),
  (c) => Object.assign(c, { name: AWKWARD_CUSTOMER_NAMES[4], note: AWKWARD_TEXTS[0], active: true }),
  (c) => Object.assign(c, { active: false, billable_default: false, note: AWKWARD_TEXTS[5] }),
];

export function generateCustomers(rng: Rng, count: number): Customer[] {
  const ids = idPool(rng, count, 1000, [2147480000, MAX_INT32]);
  const names = new Set<string>(AWKWARD_CUSTOMER_NAMES);
  const customers: Customer[] = [];
  for (let i = 0; i < count; i++) {
    customers.push({
      id: ids[i],
      name: uniqueName(rng, names),
      number: rng.chance(0.7) ? `K-${10000 + rng.int(0, 89999)}` : rng.chance(0.3) ? '' : null,
      active: rng.chance(0.85),
      billable_default: rng.chance(0.8),
      note: rng.chance(0.4) ? rng.pick(NOTE_SENTENCES) : rng.chance(0.2) ? '' : null,
      color: rng.int(0, 0xffffff),
    });
  }
  CUSTOMER_OVERRIDES.forEach((apply, i) => {
    if (i < customers.length) apply(customers[i]);
  });
  return customers;
}

function uniqueName(rng: Rng, taken: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    const base = `${rng.pick(COMPANY_STEMS)} ${rng.pick(COMPANY_TRADES)} ${rng.pick(COMPANY_FORMS)}`;
    const name = attempt < 20 ? base : `${base} ${attempt}`;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}
