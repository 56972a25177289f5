// The paginator's stop condition: a single comparison between paths into the response and
// literals, e.g. `response.paging.count_pages == response.paging.current_page`.
// Parsed once when the configuration is validated, evaluated for every page. Pure: the page decision
// (domain/paging.ts) runs it.
import { dottedPathAfter } from './names';
import { readPath } from './response-paths';

const RESPONSE_PATH = dottedPathAfter('response');

type Operand = { path: string[] } | { literal: string | number | boolean | null };
const OPERATORS = ['==', '!=', '>=', '<=', '>', '<'] as const;
type Operator = (typeof OPERATORS)[number];

export interface StopCondition {
  left: Operand;
  op: Operator;
  right: Operand;
  source: string;
}

export class StopConditionSyntaxError extends Error {
  override name = 'StopConditionSyntaxError';
}

function parseOperand(text: string, source: string): Operand {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return { literal: Number(t) };
  if (t === 'true' || t === 'false') return { literal: t === 'true' };
  if (t === 'null') return { literal: null };
  const quoted = /^(['"])(.*)\1$/.exec(t);
  if (quoted) return { literal: quoted[2] };
  if (RESPONSE_PATH.test(t)) return { path: t.split('.').slice(1) };
  throw new StopConditionSyntaxError(
    `cannot read ${JSON.stringify(t)} in ${JSON.stringify(source)}: expected response.<field>[.<field>...], a number, a quoted string, true, false or null`,
  );
}

export function parseStopCondition(source: string): StopCondition {
  for (const op of OPERATORS) {
    const at = source.indexOf(op);
    if (at <= 0) continue;
    // `>=` must not be read as `>` followed by `=`: operators are tried longest first.
    return {
      left: parseOperand(source.slice(0, at), source),
      op,
      right: parseOperand(source.slice(at + op.length), source),
      source,
    };
  }
  throw new StopConditionSyntaxError(
    `${JSON.stringify(source)} has no comparison: expected e.g. "response.paging.count_pages == response.paging.current_page"`,
  );
}

function resolve(operand: Operand, response: unknown): unknown {
  return 'literal' in operand ? operand.literal : readPath(response, operand.path);
}

/** Values the condition compares; `undefined` where the response lacks the path. */
export function readOperands(cond: StopCondition, response: unknown): [unknown, unknown] {
  return [resolve(cond.left, response), resolve(cond.right, response)];
}

/** True when the condition holds. A missing path never satisfies it (the pager's guards handle that). */
export function evaluateStopCondition(cond: StopCondition, response: unknown): boolean {
  const [a, b] = readOperands(cond, response);
  if (a === undefined || b === undefined) return false;
  // Numbers may arrive as numeric strings from some APIs: compare numerically when both look numeric.
  const na = typeof a === 'string' && a.trim() !== '' ? Number(a) : a;
  const nb = typeof b === 'string' && b.trim() !== '' ? Number(b) : b;
  const [x, y] =
    typeof na === 'number' && typeof nb === 'number' && !isNaN(na) && !isNaN(nb) ? [na, nb] : [a, b];
  switch (cond.op) {
    case '==':
      return x === y;
    case '!=':
      return x !== y;
    case '>=':
      return (x as number) >= (y as number);
    case '<=':
      return (x as number) <= (y as number);
    case '>':
      return (x as number) > (y as number);
    case '<':
      return (x as number) < (y as number);
  }
}
