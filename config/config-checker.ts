// Walks a source configuration collecting its problems (so one run reports all of them), and resolves
// its `${VAR}` references, remembering which fields came from settings so no message repeats a value.
import { referencesIn } from '../domain/names';
import { describe } from '../domain/source-config-schema';
import { referenceRefusal } from './setting-references';
import type { ConfigIssue } from './config-error';

/** Collects issues while walking the configuration, so one run reports all of them. */
export class Checker {
  readonly issues: ConfigIssue[] = [];
  constructor(
    private readonly vars: Record<string, string>,
    /** The worker's secrets: never resolved here (see config/setting-references.ts). */
    readonly secretNames: readonly string[],
  ) {}

  /** Fields whose value came from settings, by the variables it came from: errors name them too. */
  private readonly origins = new Map<string, string[]>();

  fail(field: string, problem: string): undefined {
    const from = this.origins.get(field);
    const issue = { field, problem: from ? `${problem} (from ${from.join(', ')})` : problem };
    // A shared value (resource_defaults) is checked once per resource but reported once.
    if (!this.issues.some((i) => i.field === issue.field && i.problem === issue.problem))
      this.issues.push(issue);
    return undefined;
  }

  /**
   * A value for a message: the value itself, or for a field filled from settings only the settings'
   * names. No message repeats a value that came from a reference.
   */
  shown(field: string, value: unknown): string {
    return this.origins.has(field) ? 'the value of the setting' : describe(value);
  }

  /** Whether a field's value came from settings (its messages then do not repeat it). */
  resolved(field: string): boolean {
    return this.origins.has(field);
  }

  /** A string with `${VAR}` references replaced; unknown and refused variables are reported. */
  resolve(value: string, field: string, required = true): string | undefined {
    let missing: string | undefined;
    const used: string[] = [];
    const refused: string[] = [];
    const out = value.replace(referencesIn(), (_, name: string) => {
      const refusal = referenceRefusal(name, this.secretNames);
      if (refusal !== undefined) {
        refused.push(refusal);
        return '';
      }
      if (this.vars[name] === undefined) missing = name;
      used.push(name);
      return this.vars[name] ?? '';
    });
    if (refused.length) {
      for (const refusal of new Set(refused)) this.fail(field, refusal);
      return undefined;
    }
    if (used.length) this.origins.set(field, [...new Set(used)]);
    if (missing)
      return this.fail(field, `refers to \${${missing}}, which is not set in the environment or .env`);
    if (required && out.trim() === '') return this.fail(field, 'must not be empty');
    return out;
  }

  /** resolve() for an optional field. */
  resolveOptional(value: string | undefined, field: string): string | undefined {
    return value === undefined ? undefined : this.resolve(value, field, false);
  }

  /** Several fields resolved at once: all of them, or undefined when any failed. */
  resolveAll<K extends string>(values: Record<K, string>, field: string): Record<K, string> | undefined {
    const out = {} as Record<K, string>;
    let ok = true;
    for (const key of Object.keys(values) as K[]) {
      const v = this.resolve(values[key], `${field}.${key}`);
      if (v === undefined) ok = false;
      else out[key] = v;
    }
    return ok ? out : undefined;
  }
}
