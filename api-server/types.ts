// The records the local API server holds: one canonical record per resource, with every field any route
// needs. Most are sent as they are; where the two route families differ (docs-era routes from Clockodo's
// docs pages, today's routes from the public SDK peerigon/clockodo at 7240c63, src/models/*.ts), served.ts
// renders each route's own shape from the canonical record. See /work/shared/clockodo-api.md.
// Field names follow the API (snake_case; the SDK's camelCase `nonbusinessGroupId` is `nonbusiness_group_id`
// on the wire); datetimes are 'YYYY-MM-DDTHH:MM:SSZ', dates 'YYYY-MM-DD'.

export interface Customer {
  id: number;
  name: string;
  number: string | null;
  active: boolean;
  billable_default: boolean;
  note: string | null;
  color: number;
}

export interface Project {
  id: number;
  customers_id: number;
  name: string;
  number: string | null;
  active: boolean;
  billable_default: boolean;
  note: string | null;
  budget_money: number | null;
  budget_is_hours: boolean;
  budget_is_not_strict: boolean;
  completed: boolean;
  billed_money: number | null;
  billed_completely: boolean | null;
  revenue_factor: number | null;
  deadline: string | null;
}

/** A subproject's budget (SDK subproject.ts): money or hours, hard or soft, with optional e-mail thresholds. */
export interface SubprojectBudget {
  monetary: boolean;
  hard: boolean;
  amount: number | null;
  /** Percent of the budget at which Clockodo notifies. */
  notification_thresholds: number[];
}

/** A part of a project (SDK subproject.ts; served only by today's /v3/subprojects). */
export interface Subproject {
  id: number;
  projects_id: number;
  name: string;
  number: string | null;
  note: string | null;
  budget: SubprojectBudget | null;
  billed_money: number | null;
  billed_completely: boolean | null;
  billable_default: boolean;
  completed: boolean;
  /** Datetime; null unless completed. */
  completed_at: string | null;
  revenue_factor: number | null;
  start_date: string | null;
  deadline: string | null;
  active: boolean;
}

/** 0 reported, 1 approved, 2 declined, 3 approval cancelled, 4 request cancelled. */
export type AbsenceStatus = 0 | 1 | 2 | 3 | 4;

export interface Absence {
  id: number;
  users_id: number;
  date_since: string;
  date_until: string;
  status: AbsenceStatus;
  /** 1..15 */
  type: number;
  note: string | null;
  count_days: number;
  count_hours: number | null;
  sick_note: boolean | null;
  date_enquired: string | null;
  date_approved: string | null;
  approved_by: number | null;
}

/** 0 not billable, 1 billable, 2 already billed. */
export type Billable = 0 | 1 | 2;

/** Fields every entry carries, whatever its type. */
export interface EntryBase {
  id: number;
  customers_id: number;
  projects_id: number | null;
  users_id: number;
  billable: Billable;
  texts_id: number | null;
  text: string | null;
  time_since: string;
  /** null while the clock runs */
  time_until: string | null;
  time_insert: string;
  time_last_change: string;
}

/** type 1: time entry. */
export interface TimeEntry extends EntryBase {
  type: 1;
  services_id: number;
  /** seconds; null while running */
  duration: number | null;
  offset: number;
  clocked: boolean;
  clocked_offline: boolean;
  time_clocked_since: string | null;
  time_last_change_work_time: string;
  hourly_rate: number;
}

/** type 2: lump-sum value. */
export interface LumpsumValueEntry extends EntryBase {
  type: 2;
  services_id: number;
  lumpsum: number;
}

/** type 3: lump-sum service. */
export interface LumpsumServiceEntry extends EntryBase {
  type: 3;
  lumpsum_services_id: number;
  lumpsum_services_amount: number;
}

export type Entry = TimeEntry | LumpsumValueEntry | LumpsumServiceEntry;

/** Extra fields the API adds with `enhanced_list=1`. */
export interface EnhancedEntryFields {
  customers_name: string;
  projects_name: string | null;
  users_name: string;
  revenue: number | null;
}

export interface Service {
  id: number;
  name: string;
  number: string | null;
  active: boolean;
  note: string | null;
}

export interface LumpsumService {
  id: number;
  name: string;
  number: string | null;
  active: boolean;
  /** Unit price; the same as catalog.ts lumpsumServicePrice, so enhanced_list revenues agree. */
  price: number | null;
  unit: string | null;
  note: string | null;
}

export type UserRole = 'owner' | 'manager' | 'worker';

export interface User {
  id: number;
  name: string;
  number: string | null;
  active: boolean;
  teams_id: number | null;
  email: string;
  role: UserRole;
  language: 'de' | 'en' | 'fr';
  timezone: string;
  /** 1 salary, 2 hourly wage; null when not set (only the DATEV export uses it). */
  wage_type: number | null;
  can_generally_see_absences: boolean;
  can_generally_manage_absences: boolean;
  can_add_customers: boolean;
  timeformat_12h: boolean;
  weekstart_monday: boolean;
  weekend_friday: boolean;
  /** Fixed edit lock: nothing on or before it is editable; null when none. */
  edit_lock: string | null;
  /** Dynamic edit lock in days (1, 2, 3, 5, 8, 15, 31, 91); null when none. */
  edit_lock_dyn: number | null;
  edit_lock_sync: boolean | null;
  worktime_regulation_id: number | null;
  initials: string;
}

export interface Team {
  id: number;
  name: string;
  /** users_id of the team leader; null when the team has none. */
  leader: number | null;
}

/** The night surcharges of a surcharge model (SDK surchargeModel.ts); times are 'HH:MM:SS'. */
export interface NightSurchargeConfiguration {
  percent: number;
  time_since: string;
  time_until: string;
}

/** The day-bound surcharges (nonbusiness, nonbusiness_special, sunday, saturday) also say where they cross midnight. */
export interface SurchargeConfiguration extends NightSurchargeConfiguration {
  time_since_is_previous_day: boolean;
  time_until_is_next_day: boolean;
}

/**
 * A surcharge model; a component is null when not configured. `/v2/surchargeModels` sends it so (SDK);
 * `/v2/surcharges` leaves the unconfigured components out (docs: "only contains the keys for surcharges
 * that have been configured").
 */
export interface Surcharge {
  id: number;
  name: string;
  accumulation: boolean;
  night: NightSurchargeConfiguration | null;
  night_increased: NightSurchargeConfiguration | null;
  nonbusiness: SurchargeConfiguration | null;
  nonbusiness_special: SurchargeConfiguration | null;
  sunday: SurchargeConfiguration | null;
  saturday: SurchargeConfiguration | null;
}

/** A group of nonbusiness days (SDK nonbusinessGroup.ts); exactly one is the company's default. */
export interface NonbusinessGroup {
  id: number;
  name: string;
  company_default: boolean;
}

export type NonbusinessDayType = 'SPECIAL' | 'DISTINCT_ONCE' | 'DISTINCT_RECURRING';

/**
 * A nonbusiness day in one year, in the SDK's shape (nonbusinessDay.ts), which holds everything the docs
 * page's shape needs too. Recurring days (DISTINCT_RECURRING on a fixed date, SPECIAL relative to Easter)
 * keep one id in every year (docs: "recurring nonbusiness days have the same ID every year"); a
 * DISTINCT_ONCE day has an id of its own. The Dataset keeps them per year, so (year, id) identifies one.
 */
export interface NonbusinessDay {
  id: number;
  nonbusiness_group_id: number;
  name: string;
  half_day: boolean;
  type: NonbusinessDayType;
  surcharge_special: boolean;
  /** The day's date in the year it is listed for. */
  evaluated_date: string;
  /** SPECIAL only: which Easter-relative holiday (the SDK gives no list; ours, see gen-calendar.ts). */
  special_id?: number;
  /** DISTINCT_RECURRING and DISTINCT_ONCE: the configured day and month. */
  day?: number;
  month?: number;
  /** DISTINCT_ONCE only: its one year. */
  year?: number;
}

export interface TargetHours {
  id: number;
  users_id: number;
  type: 'weekly' | 'monthly';
  date_since: string;
  /** null: open-ended */
  date_until: string | null;
  /** Hours per weekday (weekly rows; null in monthly rows). */
  monday: number | null;
  tuesday: number | null;
  wednesday: number | null;
  thursday: number | null;
  friday: number | null;
  saturday: number | null;
  sunday: number | null;
  /** Hours per month (monthly rows; null in weekly rows). */
  monthly_target: number | null;
  /** Working days per week (monthly rows; null in weekly rows). */
  working_days: number | null;
  compensation_daily: number | null;
  compensation_monthly: number | null;
  absence_fixed_credit: boolean;
  /** The surcharge model the row applies; none here. */
  surcharge_models_id: number | null;
}

export interface HolidaysQuota {
  id: number;
  users_id: number;
  year_since: number;
  /** null: open-ended */
  year_until: number | null;
  /** Days of holiday per year. */
  count: number;
  note: string | null;
}

/** Sent with its id on /v3/holidaysCarry (SDK holidaysCarryover.ts), without on /holidayscarry (docs). */
export interface HolidaysCarry {
  id: number;
  users_id: number;
  year: number;
  /** Days carried into `year` (negative: days taken in advance). */
  count: number;
  note: string | null;
}

/** Sent with its id on /v3/overtimeCarry (SDK overtimecarry.ts), without on /overtimecarry (docs). */
export interface OvertimeCarry {
  id: number;
  users_id: number;
  year: number;
  /** Hours carried into `year`. */
  hours: number;
  note: string | null;
}

/** Time taken off against overtime (SDK overtimeReduction.ts). */
export interface OvertimeReduction {
  id: number;
  users_id: number;
  date: string;
  hours: number;
  note: string | null;
  /** A date (the SDK's IsoDate), not a datetime. */
  added_at: string;
  added_by_users_id: number;
}

/** Days of approved absence in the year, by absence type (type 3, overtime reduction, is in the hour sums). */
export interface SumAbsence {
  regular_holidays: number;
  special_leaves: number;
  sick_self: number;
  sick_child: number;
  school: number;
  maternity_protection: number;
  home_office: number;
  out_of_office: number;
  special_leaves_unpaid: number;
  sick_self_unpaid: number;
  sick_child_unpaid: number;
  quarantine: number;
  military_service: number;
  sick_self_with_certificate: number;
}

/** A user's year (GET /userreports?year=): no id and no year field; the year is the request's. */
export interface UserReport {
  users_id: number;
  users_name: string;
  users_number: string | null;
  users_email: string;
  /** Seconds, as are the other sums of time. */
  sum_target: number;
  sum_hours: number;
  sum_reduction_used: number;
  sum_reduction_planned: number;
  overtime_carryover: number;
  overtime_reduced: number;
  diff: number;
  /** Days; null when no holidays quota covers the year. */
  holidays_quota: number | null;
  holidays_carry: number;
  sum_absence: SumAbsence;
}

export interface WorkTimeInterval {
  time_since: string;
  /** null while the clock runs (the generator skips running entries, so never null in its data). */
  time_until: string | null;
}

/** A user's work time on one day (GET /v2/workTimes): no id; (date, users_id) identifies it. */
export interface WorkTimeDay {
  date: string;
  users_id: number;
  /** Seconds of break inside the intervals (the sum of the day's entries' offsets). */
  offset: number;
  intervals: WorkTimeInterval[];
}

/** 1 add the interval, 2 remove it. */
export interface WorkTimeChangeRequestInterval {
  type: 1 | 2;
  time_since: string;
  time_until: string;
}

interface WorkTimeChangeRequestBase {
  id: number;
  date: string;
  users_id: number;
  created_at: string;
  changes: WorkTimeChangeRequestInterval[];
}

/**
 * A user's request to change the work time of one day (SDK workTimes.ts WorkTimeChangeRequest): status 1
 * requested, 2 declined (then with declined_at, a datetime, and declined_by, a users_id).
 */
export type WorkTimeChangeRequest =
  | (WorkTimeChangeRequestBase & { status: 1 })
  | (WorkTimeChangeRequestBase & { status: 2; declined_at: string; declined_by: number });

/**
 * Every list is named as the table it lands in. A list is an array, or (for rows that do not carry the
 * partition they are read by) a record of arrays keyed by year.
 */
export interface Dataset {
  customers: Customer[];
  projects: Project[];
  subprojects: Subproject[];
  absences: Absence[];
  entries: Entry[];
  services: Service[];
  lumpsum_services: LumpsumService[];
  users: User[];
  teams: Team[];
  surcharges: Surcharge[];
  nonbusiness_groups: NonbusinessGroup[];
  /** Keyed by year ('2025'): recurring days keep their id in every year. Each year ordered by id. */
  nonbusiness_days: Record<string, NonbusinessDay[]>;
  target_hours: TargetHours[];
  holidays_quota: HolidaysQuota[];
  holidays_carry: HolidaysCarry[];
  overtime_carry: OvertimeCarry[];
  overtime_reductions: OvertimeReduction[];
  /** Ordered by (date, users_id); none before WORK_TIMES_FIRST_DATE (gen-reports.ts). */
  work_times: WorkTimeDay[];
  work_time_change_requests: WorkTimeChangeRequest[];
  /** Keyed by year ('2025'): report rows carry no year. One row per user, ordered by users_id. */
  user_reports: Record<string, UserReport[]>;
}

export interface DatasetSize {
  customers: number;
  projects: number;
  absencesPerYear: number;
  entries: number;
  users: number;
  years: number[];
}
