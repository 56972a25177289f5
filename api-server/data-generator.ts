// Deterministic, realistic dataset: same (seed, size, now) gives the same records, byte for byte.
import { LUMPSUM_SERVICE_IDS, SERVICE_IDS } from './catalog';
import { generateAbsences } from './gen-absences';
import {
  generateHolidaysCarry,
  generateHolidaysQuota,
  generateNonbusinessDays,
  generateNonbusinessGroups,
  generateOvertimeCarry,
  generateOvertimeReductions,
  generateTargetHours,
} from './gen-calendar';
import { generateChangeRequests } from './gen-change-requests';
import { generateLumpsumServices, generateServices, generateSurcharges } from './gen-catalogs';
import { generateCustomers } from './gen-customers';
import { generateEntries } from './gen-entries';
import { generateProjects } from './gen-projects';
import { generateSubprojects } from './gen-subprojects';
import { deriveUserReports, deriveWorkTimes } from './gen-reports';
import { generateTeams, generateUsers } from './gen-staff';
import { byId, idPool } from './ids';
import { Rng } from './random';
import { SECOND, startOfYear } from './time';
import { Dataset, DatasetSize } from './types';

export const DEFAULT_SIZE = (now: Date): DatasetSize => {
  const year = now.getUTCFullYear();
  return {
    customers: 40,
    projects: 150,
    absencesPerYear: 60,
    entries: 6000,
    users: 12,
    years: [year - 2, year - 1, year],
  };
};

/** Multiplies every count (not the years) by `factor`, keeping at least one of each. */
export function scaleSize(size: DatasetSize, factor: number): DatasetSize {
  const scale = (n: number): number => Math.max(1, Math.round(n * factor));
  return {
    customers: scale(size.customers),
    projects: scale(size.projects),
    absencesPerYear: scale(size.absencesPerYear),
    entries: scale(size.entries),
    users: scale(size.users),
    years: [...size.years],
  };
}

export function generateDataset(seed: number, size: DatasetSize, now: Date): Dataset {
  validateSize(size);
  const nowMs = Math.floor(now.getTime() / SECOND) * SECOND;
  const years = [...size.years].sort((a, b) => a - b);
  // One stream per resource: changing one count leaves the other resources unchanged.
  const rngFor = (salt: number): Rng => new Rng((seed ^ Math.imul(salt, 0x9e3779b1)) >>> 0);

  const userRng = rngFor(1);
  const userIds = idPool(userRng, size.users, 100, size.users >= 4 ? [2147483600] : []).sort((a, b) => a - b);
  const hourlyRates = new Map(userIds.map((id) => [id, userRng.pick([75, 85, 92.5, 110, 120.75, 135])]));
  const customers = generateCustomers(rngFor(2), size.customers);
  const projects = generateProjects(rngFor(3), size.projects, customers, years);
  const absences = generateAbsences({ rng: rngFor(4), userIds, nowMs }, size.absencesPerYear, years);
  const entries = generateEntries(
    {
      rng: rngFor(5),
      nowMs,
      startMs: Math.min(startOfYear(years[0]), nowMs),
      years,
      userIds,
      serviceIds: [...SERVICE_IDS],
      lumpsumServiceIds: [...LUMPSUM_SERVICE_IDS],
      customers,
      projects,
      hourlyRates,
      textIds: new Map(),
    },
    size.entries,
  );
  // The resources added later draw on streams of their own (salts 6 and up), so that the four above stay
  // byte-identical to what they were before these existed; 17 and up came with the SDK's newer lists.
  const teams = generateTeams(rngFor(6), userIds);
  const users = generateUsers(rngFor(7), userIds, teams, nowMs);
  const nonbusinessDays = generateNonbusinessDays(rngFor(11), rngFor(17), years);
  const targetHours = generateTargetHours(rngFor(12), userIds, years);
  const holidaysQuota = generateHolidaysQuota(rngFor(13), userIds, years);
  const holidaysCarry = generateHolidaysCarry(rngFor(14), userIds, years);
  const overtimeCarry = generateOvertimeCarry(rngFor(15), userIds, years);
  const userReports = deriveUserReports({
    rng: rngFor(16),
    nowMs,
    years,
    users,
    entries,
    absences,
    targetHours,
    nonbusinessDays: Object.values(nonbusinessDays).flat(),
    holidaysQuota,
    holidaysCarry,
    overtimeCarry,
  });
  const workTimes = deriveWorkTimes(entries);
  // The API lists by id; keeping the arrays in id order lets the server skip sorting.
  return {
    customers: fresh(customers.sort(byId)),
    projects: fresh(projects.sort(byId)),
    subprojects: fresh(generateSubprojects(rngFor(18), projects, years, nowMs)),
    absences: fresh(absences.sort(byId)),
    entries: fresh(entries.sort(byId)),
    services: fresh(generateServices(rngFor(8))),
    lumpsum_services: fresh(generateLumpsumServices(rngFor(9))),
    users: fresh(users),
    teams: fresh(teams),
    surcharges: fresh(generateSurcharges(rngFor(10))),
    nonbusiness_groups: fresh(generateNonbusinessGroups()),
    nonbusiness_days: byYear(nonbusinessDays),
    target_hours: fresh(targetHours),
    holidays_quota: fresh(holidaysQuota),
    holidays_carry: fresh(holidaysCarry),
    overtime_carry: fresh(overtimeCarry),
    overtime_reductions: fresh(generateOvertimeReductions(rngFor(19), users, years, nowMs)),
    work_times: fresh(workTimes),
    work_time_change_requests: fresh(generateChangeRequests(rngFor(20), workTimes, users, nowMs)),
    user_reports: byYear(userReports),
  };
}

function byYear<T extends object>(lists: Record<string, T[]>): Record<string, T[]> {
  return Object.fromEntries(Object.entries(lists).map(([year, rows]) => [year, fresh(rows)]));
}

/**
 * Rebuilds each record through JSON, so that V8 holds it on a stable hidden class with flat strings:
 * records patched after creation, or with strings built by concatenation, are many times slower to scan.
 */
function fresh<T extends object>(records: T[]): T[] {
  return records.map((r) => JSON.parse(JSON.stringify(r)) as T);
}

function validateSize(size: DatasetSize): void {
  const counts: (keyof Omit<DatasetSize, 'years'>)[] = [
    'customers',
    'projects',
    'absencesPerYear',
    'entries',
    'users',
  ];
  for (const key of counts) {
    if (!Number.isInteger(size[key]) || size[key] < 0) throw new Error(`size.${key} must be an integer >= 0`);
  }
  if (size.years.length === 0 || !size.years.every((y) => Number.isInteger(y) && y >= 1970 && y <= 9999)) {
    throw new Error('size.years must list at least one year');
  }
  if ((size.projects > 0 || size.entries > 0) && size.customers === 0) {
    throw new Error('projects and entries need at least one customer');
  }
  if ((size.entries > 0 || size.absencesPerYear > 0) && size.users === 0) {
    throw new Error('entries and absences need at least one user');
  }
}
