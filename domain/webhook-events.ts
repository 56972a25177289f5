// Clockodo's webhook events (docs page "api/webhooks") and the resources each one changes. An event is
// `<entity>.<action>`; the resources are ours (the configurations' names). Where a configuration has
// no resource of the first name, the next is used (the v2 preset serves subprojects inside projects).
// Derived resources are synced with it: their rows are computed from the entity's records.

export interface EntityResources {
  /** The resource that holds the entity's records: the first of these the configuration has. */
  holds: string[];
  /** Resources computed from the entity's records, synced with it when configured. */
  derived: string[];
}

/** Every entity Clockodo sends events for, with the resources it changes. */
export const WEBHOOK_ENTITIES: Record<string, EntityResources> = {
  entry: { holds: ['entries'], derived: ['user_reports', 'work_times'] },
  user: { holds: ['users'], derived: [] },
  absence: { holds: ['absences'], derived: ['user_reports'] },
  customer: { holds: ['customers'], derived: [] },
  project: { holds: ['projects'], derived: [] },
  subproject: { holds: ['subprojects', 'projects'], derived: [] },
  service: { holds: ['services'], derived: [] },
  team: { holds: ['teams'], derived: [] },
  lump_sum_service: { holds: ['lumpsum_services'], derived: [] },
  holidays_carry: { holds: ['holidays_carry'], derived: [] },
  holidays_quota: { holds: ['holidays_quota'], derived: [] },
  overtime_carry: { holds: ['overtime_carry'], derived: [] },
  nonbusiness_group: { holds: ['nonbusiness_groups', 'nonbusiness_days'], derived: ['nonbusiness_days'] },
  work_time_change_request: { holds: ['work_time_change_requests'], derived: ['work_times'] },
};

/** The actions each entity's events name (entry and a few others have more: see EXTRA_ACTIONS). */
const ACTIONS = ['created', 'updated', 'deleted'];
const EXTRA_ACTIONS: Record<string, string[]> = {
  entry: ['started', 'stopped'],
  absence: ['approved'],
  project: ['completed'],
};

/** Every event name Clockodo documents, `entry.created` ... */
export const WEBHOOK_EVENTS: string[] = Object.keys(WEBHOOK_ENTITIES).flatMap((entity) =>
  [...ACTIONS, ...(EXTRA_ACTIONS[entity] ?? [])].map((action) => `${entity}.${action}`),
);

/** The entity an event name starts with, when it is one Clockodo documents; else undefined. */
export function entityOfEvent(event: string): string | undefined {
  const entity = event.slice(0, event.lastIndexOf('.'));
  return WEBHOOK_EVENTS.includes(event) ? entity : undefined;
}

/** The configured resources an entity's event changes (none when the configuration has none of them). */
export function resourcesOfEntity(entity: string, configured: readonly string[]): string[] {
  const spec = WEBHOOK_ENTITIES[entity];
  if (!spec) return [];
  const holder = spec.holds.find((r) => configured.includes(r));
  const derived = spec.derived.filter((r) => configured.includes(r) && r !== holder);
  return holder ? [holder, ...derived] : derived;
}

/** The entity whose events a resource's records come from (for the local server's webhooks). */
export function entityOfResource(resource: string): string | undefined {
  return Object.keys(WEBHOOK_ENTITIES).find((e) => WEBHOOK_ENTITIES[e].holds[0] === resource);
}
