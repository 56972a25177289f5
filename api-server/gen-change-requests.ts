// Work time change requests (SDK workTimes.ts): a user asks to add a forgotten interval to a day, or to
// remove a wrong one. Drawn from the work time days, so they start no earlier than those
// (WORK_TIMES_FIRST_DATE). The list holds open (1) and declined (2) requests: the SDK knows no other status.
import { byId, idPool, MAX_INT32 } from './ids';
import { Rng } from './random';
import { DAY, formatDateTime, HOUR, MINUTE, parseDate } from './time';
import { User, WorkTimeChangeRequest, WorkTimeChangeRequestInterval, WorkTimeDay } from './types';

/** About three per user, on distinct work time days. */
export function generateChangeRequests(
  rng: Rng,
  workTimes: WorkTimeDay[],
  users: User[],
  nowMs: number,
): WorkTimeChangeRequest[] {
  const count = Math.min(workTimes.length, users.length * 3);
  const days = rng.shuffle([...workTimes]).slice(0, count);
  const rows = days.map((day) => requestFor(rng, day, users, nowMs));
  const ids = idPool(rng, rows.length, 80000, rows.length >= 4 ? [MAX_INT32 - 900] : []);
  return rows.map((r, i) => ({ ...r, id: ids[i] })).sort(byId);
}

function requestFor(rng: Rng, day: WorkTimeDay, users: User[], nowMs: number): WorkTimeChangeRequest {
  const changes = changesFor(rng, day);
  const dayEnd = parseDate(day.date) + DAY;
  const createdMs = Math.min(nowMs, dayEnd + rng.int(0, 5) * DAY + rng.int(7, 18) * HOUR);
  const declinedMs = createdMs + rng.int(1, 72) * HOUR;
  // The id is set once all are drawn (ids come from one pool).
  const base = {
    id: 0,
    date: day.date,
    users_id: day.users_id,
    created_at: formatDateTime(createdMs),
    changes,
  };
  // A request answered before now may have been declined; a newer one is still open.
  if (declinedMs <= nowMs && rng.chance(0.35)) {
    const declinedBy = approverFor(rng, day.users_id, users);
    return { ...base, status: 2, declined_at: formatDateTime(declinedMs), declined_by: declinedBy };
  }
  return { ...base, status: 1 };
}

/** Add an interval after the day's last one (or before its first), remove one, or both. */
function changesFor(rng: Rng, day: WorkTimeDay): WorkTimeChangeRequestInterval[] {
  const kind = rng.weighted<'add' | 'remove' | 'both'>([
    ['add', 60],
    ['remove', 25],
    ['both', 15],
  ]);
  const added = kind === 'remove' ? undefined : addedInterval(rng, day);
  const removed = kind === 'add' && added ? undefined : rng.pick(day.intervals);
  const changes: WorkTimeChangeRequestInterval[] = [];
  if (removed?.time_until) {
    changes.push({ type: 2, time_since: removed.time_since, time_until: removed.time_until });
  }
  if (added) changes.push(added);
  return changes;
}

/** An interval of 30 minutes to 3 hours in a gap of the day, or undefined when the day has no room. */
function addedInterval(rng: Rng, day: WorkTimeDay): WorkTimeChangeRequestInterval | undefined {
  const dayStart = parseDate(day.date);
  const length = rng.int(1, 6) * 30 * MINUTE;
  const lastEnd = Date.parse(day.intervals[day.intervals.length - 1].time_until ?? '');
  const after = lastEnd + rng.int(1, 6) * 15 * MINUTE;
  if (after + length < dayStart + DAY) return addition(after, after + length);
  const firstStart = Date.parse(day.intervals[0].time_since);
  const before = firstStart - rng.int(1, 6) * 15 * MINUTE;
  if (before - length >= dayStart) return addition(before - length, before);
  return undefined;
}

const addition = (sinceMs: number, untilMs: number): WorkTimeChangeRequestInterval => ({
  type: 1,
  time_since: formatDateTime(sinceMs),
  time_until: formatDateTime(untilMs),
});

/** A manager or the owner other than the requester; any other user if there is none; else the requester. */
function approverFor(rng: Rng, usersId: number, users: User[]): number {
  const others = users.filter((u) => u.id !== usersId);
  const approvers = others.filter((u) => u.role !== 'worker');
  if (approvers.length > 0) return rng.pick(approvers).id;
  return others.length > 0 ? rng.pick(others).id : usersId;
}
