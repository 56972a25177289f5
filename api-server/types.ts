// Record types exactly as the Clockodo v2 API returns them (see /work/shared/clockodo-api.md).
// Field names follow the API (snake_case); datetimes are 'YYYY-MM-DDTHH:MM:SSZ', dates 'YYYY-MM-DD'.

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

export interface Dataset {
  customers: Customer[];
  projects: Project[];
  absences: Absence[];
  entries: Entry[];
}

export interface DatasetSize {
  customers: number;
  projects: number;
  absencesPerYear: number;
  entries: number;
  users: number;
  years: number[];
}
