// A source configuration's problems, each with the field it concerns (`resources[2].endpoint.path`),
// reported together in one ConfigError; and the schema's issues named the same way.
import type { z } from 'zod';

export interface ConfigIssue {
  field: string;
  problem: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super(
      `Invalid source configuration (${source}):\n` +
        issues.map((i) => `  - ${i.field}: ${i.problem}`).join('\n'),
    );
  }
}

/** How a path is named in messages: `resources[2].endpoint.paginator.limit`; `(root)` for the document. */
function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
}

/** The schema's issues as the validator names them: one per field, with the rule and what was found. */
export function schemaIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): ConfigIssue[] {
  return issues.flatMap((iss): ConfigIssue[] => {
    const path = [...prefix, ...iss.path];
    // Of `"int?"` or `{"object": ...}`, report the form the value has (the other cannot match).
    if (iss.code === 'invalid_union' && iss.errors.length) {
      const sameType = iss.errors.filter(
        (b) => !b.some((q) => q.path.length === 0 && q.code === 'invalid_type'),
      );
      if (sameType.length === 1) return schemaIssues(sameType[0], path);
    }
    if (iss.code === 'unrecognized_keys')
      return iss.keys.map((key) => ({ field: fieldName([...path, key]), problem: iss.message }));
    return [{ field: fieldName(path), problem: iss.message }];
  });
}
