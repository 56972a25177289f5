// Every name the engine gives a table or view in the destination database, in one place: the
// bookkeeping tables, and the names derived from a resource's. Resource names are checked against
// them (config/validate-source-config.ts), so a resource can never take a name the engine uses.

export const RUNS_TABLE = 'sync_runs';
export const QUARANTINE_TABLE = '_quarantine';
export const SEEN_TABLE = '_sync_seen';
export const CURSOR_TABLE = '_sync_cursors';
/** The last webhook event received per resource (clickhouse/webhook-events.ts). */
export const WEBHOOK_EVENTS_TABLE = '_webhook_events';

const CURRENT_SUFFIX = '_current';
/** Derived table names join the resource's name and their role with this (table-rebuild.ts). */
const ROLE_SEPARATOR = '__';

export const currentViewName = (resource: { name: string }) => `${resource.name}${CURRENT_SUFFIX}`;
/** Names a rebuild gives the new table and the old one while it swaps them (table-rebuild.ts). */
export const rebuildTableName = (table: string, stamp: number) => `${table}${ROLE_SEPARATOR}rebuild_${stamp}`;
export const replacedTableName = (table: string, stamp: number) =>
  `${table}${ROLE_SEPARATOR}replaced_${stamp}`;

/**
 * The longest resource name: its longest derived name (`<name>__replaced_<13-digit ms>`, 24 more)
 * stays well inside the 255 bytes a file name may have, which ClickHouse needs for the table's folder
 * and its `.sql` file.
 */
export const MAX_RESOURCE_NAME = 64;

/** Why a resource may not have this name (already lower-case letters, digits and _), or undefined. */
export function resourceNameProblem(name: string): string | undefined {
  if (name.length > MAX_RESOURCE_NAME)
    return `is ${name.length} characters long; at most ${MAX_RESOURCE_NAME} (the names of its table, view and rebuilds must fit a file name)`;
  const own = [RUNS_TABLE, QUARANTINE_TABLE, SEEN_TABLE, CURSOR_TABLE, WEBHOOK_EVENTS_TABLE];
  if (own.includes(name)) return `is the name of a table of the engine's own (${own.join(', ')})`;
  if (name.endsWith(CURRENT_SUFFIX))
    return `ends with ${CURRENT_SUFFIX}, which names the view of another resource's current records`;
  if (name.includes(ROLE_SEPARATOR))
    return `holds ${ROLE_SEPARATOR}, which names the tables a rebuild makes (<name>${ROLE_SEPARATOR}rebuild_<time>)`;
  return undefined;
}
