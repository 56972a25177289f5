// Entries: a list of special entries (the awkward cases, in priority order) followed by random work
// entries on weekdays. Ids come from a shuffled pool, so id order is unrelated to time order.
import { idPool, MAX_INT32 } from './ids';
import { Rng } from './random';
import { DAY, formatDateTime, HOUR, MINUTE, SECOND, startOfDay, startOfYear } from './time';
import { Billable, Customer, Entry, EntryBase, Project } from './types';
import { AWKWARD_TEXTS, ENTRY_TEXTS, LONG_TEXT } from './vocabulary';

export interface EntryContext {
  rng: Rng;
  nowMs: number;
  /** 1 January of the first dataset year: no entry starts earlier. */
  startMs: number;
  years: number[];
  userIds: number[];
  serviceIds: number[];
  lumpsumServiceIds: number[];
  customers: Customer[];
  projects: Project[];
  hourlyRates: Map<number, number>;
  textIds: Map<string, number>;
}

export interface EntrySpec {
  type: 1 | 2 | 3;
  sinceMs: number;
  running?: boolean;
  durationSec?: number;
  offsetSec?: number;
  usersId?: number;
  /** null: entry without project; undefined: random */
  project?: Project | null;
  customersId?: number;
  text?: string | null;
  billable?: Billable;
  clocked?: boolean;
  clockedOffline?: boolean;
  lastChangeMs?: number;
  lumpsum?: number;
  lumpsumAmount?: number;
}

export function generateEntries(ctx: EntryContext, count: number): Entry[] {
  const specs = specialSpecs(ctx).slice(0, count);
  while (specs.length < count) specs.push(randomSpec(ctx));
  const entries = specs.map((spec) => makeEntry(ctx, spec));
  const ids = idPool(ctx.rng, entries.length, 5_000_000, [2147470000, 2147483000, MAX_INT32]);
  entries.forEach((e, i) => (e.id = ids[i]));
  return entries;
}

/** The awkward cases, most important first: a small dataset keeps a prefix of this list. */
function specialSpecs(ctx: EntryContext): EntrySpec[] {
  const { nowMs, startMs, years, userIds, rng } = ctx;
  const user = (i: number): number => userIds[i % userIds.length];
  const clampPast = (ms: number): number => Math.max(startMs, Math.min(ms, nowMs));
  const specs: EntrySpec[] = [
    // Running clocks, started shortly before now, one per user as Clockodo allows.
    { type: 1, running: true, sinceMs: clampPast(nowMs - 7 * MINUTE - 13 * SECOND), usersId: user(0) },
    { type: 1, running: true, sinceMs: clampPast(nowMs - 48 * MINUTE - 20 * SECOND), usersId: user(1) },
    { type: 2, sinceMs: randomWorkTime(ctx), lumpsum: 12.34, text: 'Parkgebühren / parking fee' },
    { type: 3, sinceMs: randomWorkTime(ctx), lumpsumAmount: 2.5, text: 'Anfahrtspauschale' },
    { type: 1, sinceMs: randomWorkTime(ctx), project: null, text: null, billable: 0 },
    { type: 1, sinceMs: randomWorkTime(ctx), text: '', billable: 2 },
  ];
  if (userIds.length >= 3) {
    specs.push({
      type: 1,
      running: true,
      sinceMs: clampPast(nowMs - 2 * HOUR - 5 * MINUTE),
      usersId: user(2),
    });
  }
  // Starts exactly on a year boundary, and at the last second of a year (ending in the next one).
  for (const year of years) {
    const jan1 = startOfYear(year);
    if (jan1 >= startMs && jan1 + 2 * HOUR <= nowMs)
      specs.push({ type: 1, sinceMs: jan1, durationSec: 3600 });
    const lastSecond = startOfYear(year + 1) - SECOND;
    if (lastSecond >= startMs && lastSecond + 2 * HOUR <= nowMs) {
      specs.push({ type: 1, sinceMs: lastSecond, durationSec: 1800, text: 'Silvester-Deployment 🎆' });
    }
  }
  // Groups sharing one time_since second: a cursor on time_since must not skip or repeat them.
  const groupA = randomWorkTime(ctx) + 17 * SECOND;
  const groupB = startOfDay(randomWorkTime(ctx)) + 9 * HOUR;
  for (const type of [1, 1, 2, 3] as const) specs.push({ type, sinceMs: clampPast(groupA) });
  for (let i = 0; i < 3; i++) specs.push({ type: 1, sinceMs: clampPast(groupB), usersId: user(i) });
  if (years.length > 1 && startOfYear(years[1]) + 2 * HOUR <= nowMs) {
    // Two more at a year boundary that already has one: a tie right on the boundary.
    for (let i = 0; i < 2; i++) specs.push({ type: 1, sinceMs: startOfYear(years[1]), durationSec: 900 });
  }
  for (const text of [...AWKWARD_TEXTS, LONG_TEXT])
    specs.push({ type: 1, sinceMs: randomWorkTime(ctx), text });
  const bigCustomer = ctx.customers.reduce((a, b) => (b.id > a.id ? b : a), ctx.customers[0]);
  const bigProject = ctx.projects.find((p) => p.customers_id === bigCustomer.id);
  specs.push(
    bigProject
      ? { type: 1, sinceMs: randomWorkTime(ctx), project: bigProject }
      : { type: 1, sinceMs: randomWorkTime(ctx), project: null, customersId: bigCustomer.id },
  );
  // An old entry edited yesterday: invisible to a sync that only reads recent start times.
  specs.push({
    type: 1,
    sinceMs: clampPast(startMs + 40 * DAY + 10 * HOUR),
    lastChangeMs: nowMs - DAY + 3 * HOUR,
    text: 'Nachträglich korrigiert',
  });
  specs.push({ type: 1, sinceMs: randomWorkTime(ctx), offsetSec: 900, billable: 1, clocked: false });
  specs.push({ type: 1, sinceMs: randomWorkTime(ctx), clocked: true, clockedOffline: true });
  specs.push({ type: 2, sinceMs: randomWorkTime(ctx), lumpsum: rng.money(100, 999), billable: 2 });
  return specs;
}

function randomSpec(ctx: EntryContext): EntrySpec {
  const type = ctx.rng.weighted<1 | 2 | 3>([
    [1, 85],
    [2, 8],
    [3, 7],
  ]);
  return { type, sinceMs: randomWorkTime(ctx) };
}

/** A weekday working-hours start at least a day before now (so the entry is finished by now). */
function randomWorkTime(ctx: EntryContext): number {
  const { rng, startMs } = ctx;
  const hi = Math.max(startMs, ctx.nowMs - DAY);
  for (let attempt = 0; attempt < 20; attempt++) {
    const day = startOfDay(startMs + rng.float() * (hi - startMs));
    const weekday = new Date(day).getUTCDay();
    if ((weekday === 0 || weekday === 6) && !rng.chance(0.05)) continue;
    const t = day + rng.int(6, 18) * HOUR + rng.int(0, 11) * 5 * MINUTE;
    if (t >= startMs && t <= hi) return t;
  }
  return startMs + Math.floor(((hi - startMs) * rng.float()) / SECOND) * SECOND;
}

function makeEntry(ctx: EntryContext, spec: EntrySpec): Entry {
  const { rng, nowMs } = ctx;
  const project =
    spec.project !== undefined
      ? spec.project
      : ctx.projects.length > 0 && rng.chance(0.9)
        ? rng.pick(ctx.projects)
        : null;
  const customersId = spec.customersId ?? project?.customers_id ?? rng.pick(ctx.customers).id;
  const text =
    spec.text !== undefined
      ? spec.text
      : rng.weighted<string | null>([
          [null, 15],
          ['', 5],
          [rng.pick(ENTRY_TEXTS), 80],
        ]);
  const usersId = spec.usersId ?? rng.pick(ctx.userIds);
  const billable =
    spec.billable ??
    rng.weighted<Billable>([
      [0, project && !project.billable_default ? 60 : 20],
      [1, 60],
      [2, 20],
    ]);
  const base: EntryBase = {
    id: 0,
    customers_id: customersId,
    projects_id: project ? project.id : null,
    users_id: usersId,
    billable,
    texts_id: text ? textId(ctx, text) : null,
    text,
    time_since: formatDateTime(spec.sinceMs),
    time_until: null,
    time_insert: '',
    time_last_change: '',
  };
  if (spec.type === 1) return timeEntry(ctx, spec, base);
  // Lump sums have no real duration; they still span a few minutes so that time_since < time_until.
  const untilMs = Math.min(spec.sinceMs + rng.int(1, 60) * MINUTE, Math.max(nowMs, spec.sinceMs + SECOND));
  const times = bookkeeping(ctx, spec, untilMs, false);
  const finished = { ...base, time_until: formatDateTime(untilMs), ...times.formatted };
  if (spec.type === 2) {
    return {
      ...finished,
      type: 2,
      services_id: rng.pick(ctx.serviceIds),
      lumpsum: spec.lumpsum ?? rng.money(5, 500),
    };
  }
  return {
    ...finished,
    type: 3,
    lumpsum_services_id: rng.pick(ctx.lumpsumServiceIds),
    lumpsum_services_amount: spec.lumpsumAmount ?? rng.pick([1, 1, 2, 3, 0.5, 2.5, 1.25, 10]),
  };
}

function timeEntry(ctx: EntryContext, spec: EntrySpec, base: EntryBase): Entry {
  const { rng, nowMs } = ctx;
  const hourlyRate = ctx.hourlyRates.get(base.users_id) ?? 90;
  const services_id = rng.pick(ctx.serviceIds);
  if (spec.running) {
    return {
      ...base,
      time_insert: base.time_since,
      time_last_change: base.time_since,
      type: 1,
      services_id,
      duration: null,
      offset: 0,
      clocked: true,
      clocked_offline: false,
      time_clocked_since: base.time_since,
      time_last_change_work_time: base.time_since,
      hourly_rate: hourlyRate,
    };
  }
  const clocked = spec.clocked ?? rng.chance(0.4);
  let duration = spec.durationSec ?? (clocked ? rng.int(5 * 60, 6 * 3600) : rng.int(1, 24) * 900);
  let offset = spec.offsetSec ?? (rng.chance(0.1) ? rng.int(1, 6) * 300 : 0);
  // A finished entry ends by now at the latest.
  const available = Math.floor((nowMs - spec.sinceMs) / SECOND);
  if (duration + offset > available) {
    offset = 0;
    duration = Math.max(1, Math.min(duration, available));
  }
  const untilMs = spec.sinceMs + (duration + offset) * SECOND;
  const times = bookkeeping(ctx, spec, untilMs, clocked);
  return {
    ...base,
    time_until: formatDateTime(untilMs),
    ...times.formatted,
    type: 1,
    services_id,
    duration,
    offset,
    clocked,
    clocked_offline: clocked && (spec.clockedOffline ?? rng.chance(0.05)),
    time_clocked_since: clocked ? base.time_since : null,
    time_last_change_work_time: formatDateTime(times.workTimeMs),
    hourly_rate: hourlyRate,
  };
}

/** time_insert <= time_last_change <= now; a clocked entry is inserted when the clock starts. */
function bookkeeping(
  ctx: EntryContext,
  spec: EntrySpec,
  untilMs: number,
  clocked: boolean,
): { formatted: { time_insert: string; time_last_change: string }; workTimeMs: number } {
  const { rng, nowMs } = ctx;
  const latest = Math.max(nowMs, untilMs);
  const insert = clocked
    ? spec.clockedOffline
      ? Math.min(untilMs + rng.int(60, 48 * 3600) * SECOND, latest)
      : spec.sinceMs
    : Math.min(untilMs + rng.int(0, 72 * 3600) * SECOND, latest);
  const closed = clocked ? Math.max(insert, untilMs) : insert;
  let lastChange = closed;
  if (spec.lastChangeMs !== undefined) lastChange = Math.max(closed, Math.min(spec.lastChangeMs, latest));
  else if (rng.chance(0.25))
    lastChange = closed + Math.floor(rng.float() * Math.min(200 * DAY, latest - closed));
  const workTime = lastChange > closed && rng.chance(0.5) ? lastChange : closed;
  return {
    formatted: { time_insert: formatDateTime(insert), time_last_change: formatDateTime(lastChange) },
    workTimeMs: workTime,
  };
}

function textId(ctx: EntryContext, text: string): number {
  let id = ctx.textIds.get(text);
  if (id === undefined) {
    id = 70000 + ctx.textIds.size * 3 + 1;
    ctx.textIds.set(text, id);
  }
  return id;
}
