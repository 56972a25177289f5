// Users and teams. Users are exactly the ids entries and absences reference (the generator's user pool);
// names come from catalog.ts so that enhanced_list and user reports agree. Teams group most users.
import { userName } from './catalog';
import { byId, idPool, MAX_INT32 } from './ids';
import { Rng } from './random';
import { DAY, formatDate, startOfDay } from './time';
import { Team, User, UserRole } from './types';
import { TEAM_NAMES } from './vocabulary';

const TIMEZONES = ['Europe/Berlin', 'Europe/Berlin', 'Europe/Vienna', 'Europe/Zurich', 'America/New_York'];
const EDIT_LOCK_DAYS = [1, 2, 3, 5, 8, 15, 31, 91];

/** About one team per five users (none without users); users not in a team have teams_id null. */
export function generateTeams(rng: Rng, userIds: number[]): Team[] {
  const count = userIds.length === 0 ? 0 : Math.max(1, Math.round(userIds.length / 5));
  const ids = idPool(rng, count, 500, count >= 3 ? [MAX_INT32 - 101] : []);
  const taken = new Set<string>();
  const teams: Team[] = [];
  for (let i = 0; i < count; i++) {
    const base = TEAM_NAMES[i % TEAM_NAMES.length];
    let name = i < TEAM_NAMES.length ? base : `${base} ${Math.floor(i / TEAM_NAMES.length) + 1}`;
    while (taken.has(name)) name += '+';
    taken.add(name);
    teams.push({ id: ids[i], name, leader: null });
  }
  return teams;
}

/**
 * One user per id, in id order. The lowest id is the account's owner. Assigns users to `teams` and sets
 * each team's leader to one of its members (the last team keeps none when there are two or more).
 */
export function generateUsers(rng: Rng, userIds: number[], teams: Team[], nowMs: number): User[] {
  const ids = [...userIds].sort((a, b) => a - b);
  const emails = new Set<string>();
  const users = ids.map((id, i): User => {
    const role: UserRole = i === 0 ? 'owner' : rng.chance(0.2) ? 'manager' : 'worker';
    const editLockDays = rng.chance(0.3) ? rng.int(7, 120) : null;
    return {
      id,
      name: userName(id),
      number: rng.chance(0.75) ? `P-${String(1000 + i * 7 + rng.int(0, 6)).padStart(5, '0')}` : null,
      active: true,
      teams_id:
        teams.length > 0 && (i < teams.length || rng.chance(0.85)) ? teams[i % teams.length].id : null,
      email: uniqueEmail(userName(id), id, emails),
      role,
      language: rng.weighted<User['language']>([
        ['de', 70],
        ['en', 25],
        ['fr', 5],
      ]),
      timezone: rng.pick(TIMEZONES),
      wage_type: rng.weighted<number | null>([
        [1, 70],
        [2, 20],
        [null, 10],
      ]),
      can_generally_see_absences: role !== 'worker' || rng.chance(0.5),
      can_generally_manage_absences: role !== 'worker' && rng.chance(0.7),
      can_add_customers: role !== 'worker' || rng.chance(0.3),
      timeformat_12h: rng.chance(0.1),
      weekstart_monday: rng.chance(0.9),
      weekend_friday: rng.chance(0.03),
      edit_lock: editLockDays === null ? null : formatDate(startOfDay(nowMs) - editLockDays * DAY),
      edit_lock_dyn: rng.chance(0.25) ? rng.pick(EDIT_LOCK_DAYS) : null,
      edit_lock_sync: rng.weighted<boolean | null>([
        [true, 60],
        [false, 30],
        [null, 10],
      ]),
      worktime_regulation_id: rng.weighted<number | null>([
        [null, 60],
        [0, 15],
        [rng.int(1, 9), 25],
      ]),
      initials: userName(id)
        .split(' ')
        .map((part) => part.slice(0, 1))
        .join('')
        .toUpperCase(),
    };
  });
  // A former co-worker: inactive, but their entries and absences stay.
  if (users.length >= 3) users[users.length - 2].active = false;
  teams.forEach((team, t) => {
    const members = users.filter((u) => u.teams_id === team.id);
    if (members.length > 0 && !(teams.length >= 2 && t === teams.length - 1))
      team.leader = rng.pick(members).id;
  });
  teams.sort(byId);
  return users;
}

/** 'jürgen.öztürk@…' becomes 'juergen.oeztuerk@…'; a second user of the same name gets the id appended. */
function uniqueEmail(name: string, id: number, taken: Set<string>): string {
  const local = name
    .toLowerCase()
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .replace(/ß/g, 'ss')
    .normalize('NFD')
    .replace(/[^a-z ]/g, '')
    .trim()
    .replace(/ +/g, '.');
  let email = `${local}@example.com`;
  if (taken.has(email)) email = `${local}+${id}@example.com`;
  taken.add(email);
  return email;
}
