// The engine's own columns on every resource table. Underscore-prefixed so they never clash with
// API field names (which the configuration requires to start with a letter).
export const BOOKKEEPING_COLUMNS = {
  /** The whole record as the API sent it: nothing is lost, whatever its shape. */
  _raw: 'String',
  /** Merge version: the sync run's start in ms; newest read wins, deletion markers are +1. */
  _version: 'UInt64',
  _synced_at: "DateTime('UTC')",
  /** Workflow id of the sync that wrote the row. */
  _run_id: 'String',
  /** Partition value (e.g. the year) or window slice the row was read under. */
  _partition: 'String',
  /** 1 on a marker row written when a record vanished from the source. */
  _is_deleted: 'UInt8',
  /** Fields whose value did not fit the declared column type (kept in _raw, NULL in the column). */
  _shape_errors: 'Array(String)',
} as const;

export type BookkeepingColumn = keyof typeof BOOKKEEPING_COLUMNS;
