// The custom search attributes our workflows set (config/search-attributes.json): which a namespace
// lacks, and registering them. Without them a sync's first workflow task fails over and over, so the
// worker and start-sync check first and say what to run.
import { temporal } from '@temporalio/proto';
import SEARCH_ATTRIBUTES from './search-attributes.json';

// gRPC status codes Temporal answers when an API key may not change the namespace (e.g. Cloud).
const PERMISSION_DENIED = 7;
const UNIMPLEMENTED = 12;

type OperatorService = temporal.api.operatorservice.v1.OperatorService;
const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

/** Name → type as the JSON file and Temporal's CLI spell it (Keyword, KeywordList, Int, ...). */
export const REQUIRED_SEARCH_ATTRIBUTES: Record<string, string> = SEARCH_ATTRIBUTES;

const enumOf = (type: string): number => {
  const key = `INDEXED_VALUE_TYPE_${type.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}`;
  const value = (IndexedValueType as unknown as Record<string, number>)[key];
  if (value === undefined) throw new Error(`unknown search attribute type ${type}`);
  return value;
};
const nameOf = (value: number): string =>
  Object.entries(REQUIRED_SEARCH_ATTRIBUTES).find(([, t]) => enumOf(t) === value)?.[1] ??
  String(IndexedValueType[value] ?? value);

export interface SearchAttributeProblem {
  name: string;
  want: string;
  /** The type registered under that name, when it is the wrong one. */
  have?: string;
}

/** Each required attribute the namespace lacks or has with another type. */
export async function searchAttributeProblems(
  operator: OperatorService,
  namespace: string,
): Promise<SearchAttributeProblem[]> {
  const res = await operator.listSearchAttributes({ namespace });
  const have = res.customAttributes ?? {};
  const problems: SearchAttributeProblem[] = [];
  for (const [name, want] of Object.entries(REQUIRED_SEARCH_ATTRIBUTES)) {
    const got = have[name] as number | undefined | null;
    if (got === undefined || got === null) problems.push({ name, want });
    else if (got !== enumOf(want)) problems.push({ name, want, have: nameOf(got) });
  }
  return problems;
}

export const SETUP_COMMAND = 'npm run temporal:setup';

/** One message for what is missing, and how to fix it. */
export function describeProblems(namespace: string, problems: SearchAttributeProblem[]): string {
  const list = problems
    .map((p) => (p.have ? `${p.name} is ${p.have}, not ${p.want}` : `${p.name} (${p.want})`))
    .join(', ');
  return (
    `Temporal namespace ${namespace} lacks the search attributes this sync sets: ${list}. ` +
    `Register them with \`${SETUP_COMMAND}\` (on Temporal Cloud: tcld namespace search-attributes add, or the Cloud UI)`
  );
}

export interface Registered {
  added: string[];
  present: string[];
}

/** Adds the missing attributes; one registered with another type is an error, never changed here. */
export async function registerSearchAttributes(
  operator: OperatorService,
  namespace: string,
): Promise<Registered> {
  const problems = await searchAttributeProblems(operator, namespace);
  const wrong = problems.filter((p) => p.have);
  if (wrong.length > 0) throw new Error(describeProblems(namespace, wrong).replace(/ Register.*$/, ''));
  const missing = problems.map((p) => p.name);
  if (missing.length > 0) {
    try {
      await operator.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(missing.map((n) => [n, enumOf(REQUIRED_SEARCH_ATTRIBUTES[n])])),
      });
    } catch (e) {
      const code = (e as { code?: number }).code;
      if (code === PERMISSION_DENIED || code === UNIMPLEMENTED)
        throw new Error(
          `Temporal refused to add search attributes to ${namespace} (${(e as Error).message}); ` +
            `on Temporal Cloud add them with tcld namespace search-attributes add or in the Cloud UI: ` +
            missing.map((n) => `${n} (${REQUIRED_SEARCH_ATTRIBUTES[n]})`).join(', '),
          { cause: e },
        );
      throw e;
    }
  }
  return {
    added: missing,
    present: Object.keys(REQUIRED_SEARCH_ATTRIBUTES).filter((n) => !missing.includes(n)),
  };
}

/** The problems, or null when the server will not say (an API key without the right to list them). */
export async function searchAttributeProblemsIfVisible(
  operator: OperatorService,
  namespace: string,
): Promise<SearchAttributeProblem[] | null> {
  try {
    return await searchAttributeProblems(operator, namespace);
  } catch (e) {
    const code = (e as { code?: number }).code;
    if (code === PERMISSION_DENIED || code === UNIMPLEMENTED) return null;
    throw e;
  }
}
