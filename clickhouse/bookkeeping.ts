// The engine's own columns on every resource table. Underscore-prefixed so they never clash with
// API field names (which the configuration requires to start with a letter).
export const BOOKKEEPING_COLUMNS = {
  /** The whole record as the API sent it: nothing is lost, whatever its shape. */
  _raw: 'String',
  /**
   * Merge version: when the record was observed (ms, the moment its page arrived), raised above the
   * stored version when the source's own change time says this state is newer. Deletion markers take
   * the moment the deletion was decided. The newest state of the source wins, whatever the write order.
   */
  _version: 'UInt64',
  /** Hash of the record and of the columns it maps to: an unchanged record is not written again. */
  _hash: 'UInt64',
  _synced_at: "DateTime('UTC')",
  /** The sync's id (`syncId`, see tableColumns in schema.ts). */
  _run_id: 'String',
  /** Partition value (e.g. the year) or window slice the row was read under. */
  _partition: 'String',
  /** 1 on a marker row written when a record vanished from the source. */
  _is_deleted: 'UInt8',
  /** Fields whose value did not fit the declared column type (kept in _raw, NULL in the column). */
  _shape_errors: 'Array(String)',
} as const;

export type BookkeepingColumn = keyof typeof BOOKKEEPING_COLUMNS;
