// Escaping for the few values that must go into SQL text: ClickHouse 18.16 has no query parameters.
// Record values never go here; they travel in JSONEachRow inserts.

/** A single-quoted ClickHouse string literal. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * A back-quoted identifier; names are validated upstream, this guards against the rest. One dot may
 * join two parts: the column of a nested field (`intervals.time_since`) is named so.
 */
export function ident(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)?$/.test(name))
    throw new Error(`not a safe SQL identifier: ${JSON.stringify(name)}`);
  return `\`${name}\``;
}

/** A table or view of a database, both names back-quoted: `db`.`table`. In statements and inserts. */
export function qualified(db: string, table: string): string {
  return `${ident(db)}.${ident(table)}`;
}
