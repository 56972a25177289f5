// How a resource's table is keyed: by its id when records have one, else by a hash of the fields that
// identify them. Below both the validation (which picks the key column) and the writers (which fill it).

/**
 * The key column of a resource whose records are identified by several fields (e.g. users_id and
 * date): a 52-bit hash of their values (clickhouse/row-mapping.ts), so every table is ordered, merged
 * and marked deleted by one UInt64 column. Only such tables have it.
 */
export const COMPOSITE_KEY_COLUMN = '_key';
