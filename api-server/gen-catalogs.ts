// Services, lump-sum services and surcharge models: small lists an account sets up once. Services and
// lump-sum services are exactly the ids entries book on (catalog.ts); prices agree with enhanced_list.
import { LUMPSUM_SERVICE_IDS, lumpsumServicePrice, SERVICE_IDS } from './catalog';
import { byId, idPool, MAX_INT32 } from './ids';
import { Rng } from './random';
import {
  LumpsumService,
  NightSurchargeConfiguration,
  Service,
  Surcharge,
  SurchargeConfiguration,
} from './types';
import { AWKWARD_TEXTS, LUMPSUM_SERVICES, NOTE_SENTENCES, SERVICE_NAMES } from './vocabulary';

export function generateServices(rng: Rng): Service[] {
  return SERVICE_IDS.map((id, i) => ({
    id,
    name: SERVICE_NAMES[i % SERVICE_NAMES.length],
    number: i === 1 ? null : i === 2 ? '' : `L-${100 + i * 10 + rng.int(0, 9)}`,
    // The travel-time service is retired: old entries still book on it.
    active: i !== 4,
    note: i === 0 ? null : i === 3 ? AWKWARD_TEXTS[7] : rng.chance(0.5) ? rng.pick(NOTE_SENTENCES) : '',
  })).sort(byId);
}

export function generateLumpsumServices(rng: Rng): LumpsumService[] {
  return LUMPSUM_SERVICE_IDS.map((id, i) => {
    const [name, unit] = LUMPSUM_SERVICES[i % LUMPSUM_SERVICES.length];
    return {
      id,
      name,
      number: i === 0 ? null : `LS-${id}`,
      active: i !== 3,
      price: lumpsumServicePrice(id),
      unit,
      note: i === 1 ? AWKWARD_TEXTS[0] : rng.chance(0.5) ? rng.pick(NOTE_SENTENCES) : null,
    };
  }).sort(byId);
}

const night = (percent: number, since: string, until: string): NightSurchargeConfiguration => ({
  percent,
  time_since: since,
  time_until: until,
});

/** A day-bound surcharge; `crossing` says where its period reaches into the day before or after. */
const dayBound = (
  percent: number,
  since: string,
  until: string,
  crossing: { fromPreviousDay?: boolean; intoNextDay?: boolean } = {},
): SurchargeConfiguration => ({
  percent,
  time_since: since,
  time_until: until,
  time_since_is_previous_day: crossing.fromPreviousDay ?? false,
  time_until_is_next_day: crossing.intoNextDay ?? false,
});

/**
 * Four models: a standard one, a shift one, one without any surcharge (all null) and a weekend one. The
 * shift model's Sunday runs into Monday 04:00 and its holiday surcharge starts the evening before, as
 * German payroll rules allow.
 */
export function generateSurcharges(rng: Rng): Surcharge[] {
  const ids = idPool(rng, 4, 20, [MAX_INT32 - 3]);
  const surcharges: Surcharge[] = [
    {
      id: ids[0],
      name: 'Standard',
      accumulation: false,
      night: night(25, '20:00:00', '06:00:00'),
      night_increased: night(40, '00:00:00', '04:00:00'),
      nonbusiness: dayBound(125, '00:00:00', '24:00:00'),
      nonbusiness_special: dayBound(150, '00:00:00', '24:00:00'),
      sunday: dayBound(50, '00:00:00', '24:00:00'),
      saturday: null,
    },
    {
      id: ids[1],
      name: 'Schichtdienst Pflege 🌙',
      accumulation: true,
      night: night(rng.pick([15, 20, 25]), '22:00:00', '06:00:00'),
      night_increased: null,
      nonbusiness: dayBound(100, '20:00:00', '24:00:00', { fromPreviousDay: true }),
      nonbusiness_special: null,
      sunday: dayBound(rng.pick([25, 50]), '00:00:00', '04:00:00', { intoNextDay: true }),
      saturday: dayBound(12.5, '13:00:00', '20:00:00'),
    },
    {
      id: ids[2],
      name: 'Keine Zuschläge',
      accumulation: false,
      night: null,
      night_increased: null,
      nonbusiness: null,
      nonbusiness_special: null,
      sunday: null,
      saturday: null,
    },
    {
      id: ids[3],
      name: 'Wochenende "Sa/So"',
      accumulation: true,
      night: null,
      night_increased: null,
      nonbusiness: null,
      nonbusiness_special: null,
      sunday: dayBound(50, '00:00:00', '24:00:00'),
      saturday: dayBound(25, '00:00:00', '24:00:00'),
    },
  ];
  return surcharges.sort(byId);
}
