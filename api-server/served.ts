// One place that says, for each route, which Dataset list it serves, under which key, and how a record
// looks there. The Dataset holds one canonical record per thing (types.ts); a route sends it as is, or in
// its own shape: the docs-era routes as Clockodo's docs pages describe them, today's routes as the public
// SDK (peerigon/clockodo at 7240c63, src/models/*.ts) types them. The endpoint handlers (endpoints.ts) and
// the tests (test/e2e/compare.ts) both render through it, so they cannot disagree.
import {
  Dataset,
  HolidaysCarry,
  NonbusinessDay,
  OvertimeCarry,
  Surcharge,
  SurchargeConfiguration,
  NightSurchargeConfiguration,
} from './types';

export type ListName = keyof Dataset;

/** One record of a Dataset list, whether the list is an array or kept per year. */
export type RecordOf<K extends ListName> = K extends ListName
  ? Dataset[K] extends (infer R)[]
    ? R
    : Dataset[K] extends Record<string, (infer R)[]>
      ? R
      : never
  : never;

export interface ServedRoute<K extends ListName = ListName> {
  /** The Dataset list the route reads. */
  readonly list: K;
  /** The key its rows are under in the response body. */
  readonly key: string;
  /** The record as the route sends it. */
  render(this: void, record: RecordOf<K>): object;
}

const same = <T>(record: T): T => record;

function asIs<K extends ListName>(list: K, key: string): ServedRoute<K> {
  return { list, key, render: same };
}

function shaped<K extends ListName>(
  list: K,
  key: string,
  render: (r: RecordOf<K>) => object,
): ServedRoute<K> {
  return { list, key, render };
}

/** Docs pages api/holidayscarry: `users_id, year, count, note`, no id. */
function docsHolidaysCarry(c: HolidaysCarry): object {
  return { users_id: c.users_id, year: c.year, count: c.count, note: c.note };
}

/** Docs page api/overtimecarry: `users_id, year, hours, note`, no id. */
function docsOvertimeCarry(c: OvertimeCarry): object {
  return { users_id: c.users_id, year: c.year, hours: c.hours, note: c.note };
}

const SURCHARGE_COMPONENTS = [
  'night',
  'night_increased',
  'nonbusiness',
  'nonbusiness_special',
  'sunday',
  'saturday',
] as const;

/** Docs page api/surcharges: "only contains the keys for surcharges that have been configured". */
function docsSurcharge(s: Surcharge): object {
  const configured: Record<string, NightSurchargeConfiguration | SurchargeConfiguration> = {};
  for (const component of SURCHARGE_COMPONENTS) {
    const config = s[component];
    if (config !== null) configured[component] = config;
  }
  return { id: s.id, name: s.name, accumulation: s.accumulation, ...configured };
}

/** Docs page api/nonbusinessdays: `id, nonbusinessgroups_id, name, date, half_day` ("integer, 0 or 1"). */
function docsNonbusinessDay(d: NonbusinessDay): object {
  return {
    id: d.id,
    nonbusinessgroups_id: d.nonbusiness_group_id,
    name: d.name,
    date: d.evaluated_date,
    half_day: d.half_day ? 1 : 0,
  };
}

/** SDK nonbusinessDay.ts: special_id for SPECIAL; day, month (and year when DISTINCT_ONCE) for the others. */
function sdkNonbusinessDay(d: NonbusinessDay): object {
  const base = {
    id: d.id,
    nonbusiness_group_id: d.nonbusiness_group_id,
    name: d.name,
    half_day: d.half_day,
    type: d.type,
    surcharge_special: d.surcharge_special,
    evaluated_date: d.evaluated_date,
  };
  if (d.type === 'SPECIAL') return { ...base, special_id: d.special_id };
  if (d.type === 'DISTINCT_RECURRING') return { ...base, day: d.day, month: d.month };
  return { ...base, day: d.day, month: d.month, year: d.year };
}

/** Every route the server answers, by path after '/api'. */
export const SERVED = {
  // Docs-era routes (the seed's configuration): rows under the resource's own key; shapes from the docs pages.
  '/v2/projects': asIs('projects', 'projects'),
  '/v2/customers': asIs('customers', 'customers'),
  '/v2/absences': asIs('absences', 'absences'),
  '/v2/services': asIs('services', 'services'),
  '/v2/lumpsumservices': asIs('lumpsum_services', 'lumpSumServices'),
  '/v2/users': asIs('users', 'users'),
  '/v2/teams': asIs('teams', 'teams'),
  '/v2/surcharges': shaped('surcharges', 'surcharges', docsSurcharge),
  '/nonbusinessdays': shaped('nonbusiness_days', 'nonbusinessdays', docsNonbusinessDay),
  '/holidaysquota': asIs('holidays_quota', 'holidaysquota'),
  '/holidayscarry': shaped('holidays_carry', 'holidayscarry', docsHolidaysCarry),
  '/overtimecarry': shaped('overtime_carry', 'overtimecarry', docsOvertimeCarry),
  // Today's routes (the SDK's src/clockodo.ts): rows under `data`; shapes from its models.
  '/v4/projects': asIs('projects', 'data'),
  '/v3/customers': asIs('customers', 'data'),
  '/v3/subprojects': asIs('subprojects', 'data'),
  '/v4/absences': asIs('absences', 'data'),
  '/v4/services': asIs('services', 'data'),
  '/v4/lumpSumServices': asIs('lumpsum_services', 'data'),
  '/v3/users': asIs('users', 'data'),
  '/v3/teams': asIs('teams', 'data'),
  '/v2/surchargeModels': asIs('surcharges', 'data'),
  '/v2/nonbusinessGroups': asIs('nonbusiness_groups', 'data'),
  '/v2/nonbusinessDays': shaped('nonbusiness_days', 'data', sdkNonbusinessDay),
  '/v2/holidaysQuota': asIs('holidays_quota', 'data'),
  '/v3/holidaysCarry': asIs('holidays_carry', 'data'),
  '/v3/overtimeCarry': asIs('overtime_carry', 'data'),
  '/v3/overtimeReductions': asIs('overtime_reductions', 'data'),
  '/v2/workTimes/changeRequests': asIs('work_time_change_requests', 'data'),
  // The same in both families.
  '/v2/entries': asIs('entries', 'entries'),
  '/targethours': asIs('target_hours', 'targethours'),
  '/userreports': asIs('user_reports', 'userreports'),
  '/v2/workTimes': asIs('work_times', 'work_time_days'),
} as const satisfies Record<string, ServedRoute>;

export type ServedPath = keyof typeof SERVED;
type RouteList<P extends ServedPath> = (typeof SERVED)[P]['list'];

export function servedRoute(path: string): ServedRoute | undefined {
  return Object.prototype.hasOwnProperty.call(SERVED, path) ? SERVED[path as ServedPath] : undefined;
}

/** `records` (of the route's list) as the route sends them; the list itself when the route sends them as is. */
export function renderAs<P extends ServedPath>(path: P, records: RecordOf<RouteList<P>>[]): object[] {
  // The one untyped step: each route's render takes its own list's records, which `records` are.
  const render = SERVED[path].render as (record: unknown) => object;
  return render === same ? records : records.map((r) => render(r));
}

/**
 * Every record the route serves, as it sends it, ignoring its filters: one group for a list kept as an
 * array, one per year (the partition value) for a list kept per year. In the Dataset's order.
 */
export function servedByPartition(dataset: Dataset, path: string): [string | undefined, object[]][] {
  if (!servedRoute(path)) throw new Error(`the API server serves no route ${path}`);
  const route = path as ServedPath;
  const list = dataset[SERVED[route].list] as object[] | Record<string, object[]>;
  if (Array.isArray(list)) return [[undefined, renderAs(route, list as never[])]];
  return Object.entries(list).map(([partition, records]) => [partition, renderAs(route, records as never[])]);
}
