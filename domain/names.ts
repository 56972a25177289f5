// The two name patterns the configuration and the settings share, written once: a plain identifier
// (a variable, database or cluster name) and a `${NAME}` reference to a setting.

const IDENTIFIER_SOURCE = '[A-Za-z_][A-Za-z0-9_]*';
const REFERENCE_SOURCE = `\\$\\{(${IDENTIFIER_SOURCE})\\}`;

/** A plain identifier: letters, digits and `_`, not starting with a digit. */
export const IDENTIFIER = new RegExp(`^${IDENTIFIER_SOURCE}$`);

/** A value that is exactly one `${NAME}` reference; group 1 is the name. */
export const WHOLE_REFERENCE = new RegExp(`^${REFERENCE_SOURCE}$`);

/** Every `${NAME}` reference in a text (a fresh global pattern: those keep state between matches). */
export const referencesIn = () => new RegExp(REFERENCE_SOURCE, 'g');

/** A dotted path of identifiers after a fixed first name, such as `response.paging.count_pages`. */
export const dottedPathAfter = (first: string) => new RegExp(`^${first}(\\.${IDENTIFIER_SOURCE})+$`);

/** The setting a value names when it is exactly one `${NAME}` reference. */
export const settingOf = (value: unknown): string | undefined =>
  typeof value === 'string' ? WHOLE_REFERENCE.exec(value)?.[1] : undefined;
