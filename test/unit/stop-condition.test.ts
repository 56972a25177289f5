// The paginator's stop condition, and the page-stop decision built on it with its guards against
// endless paging.
import { strict as assert } from 'assert';
import {
  decidePageStop,
  LegacyPaginatorConfig,
  nextPages,
  pageRequestParams,
  paginatorOf,
} from '../../domain/paging';
import { readPath } from '../../domain/response-paths';
import type { PaginatorConfig } from '../../domain/source-config';
import {
  evaluateStopCondition,
  parseStopCondition,
  readOperands,
  StopConditionSyntaxError,
} from '../../domain/stop-condition';

const SEED = 'response.paging.count_pages == response.paging.current_page';

const paging = (current_page: number, count_pages: number, count_items = count_pages * 10) => ({
  paging: { items_per_page: 10, current_page, count_pages, count_items },
});

describe('parseStopCondition', () => {
  it("parses the seed's condition into two paths", () => {
    const c = parseStopCondition(SEED);
    assert.deepEqual(c.left, { path: ['paging', 'count_pages'] });
    assert.equal(c.op, '==');
    assert.deepEqual(c.right, { path: ['paging', 'current_page'] });
    assert.equal(c.source, SEED);
  });

  it('reads literals: numbers, quoted strings, true, false, null', () => {
    assert.deepEqual(parseStopCondition('response.a == 3').right, { literal: 3 });
    assert.deepEqual(parseStopCondition('response.a == -2.5').right, { literal: -2.5 });
    assert.deepEqual(parseStopCondition("response.a == 'done'").right, { literal: 'done' });
    assert.deepEqual(parseStopCondition('response.a == "done"').right, { literal: 'done' });
    assert.deepEqual(parseStopCondition('response.a == true').right, { literal: true });
    assert.deepEqual(parseStopCondition('response.a == false').right, { literal: false });
    assert.deepEqual(parseStopCondition('response.next == null').right, { literal: null });
  });

  it('reads two-character operators as one', () => {
    assert.equal(parseStopCondition('response.a >= 3').op, '>=');
    assert.equal(parseStopCondition('response.a <= 3').op, '<=');
    assert.equal(parseStopCondition('response.a != 3').op, '!=');
    assert.equal(parseStopCondition('response.a > 3').op, '>');
    assert.equal(parseStopCondition('response.a < 3').op, '<');
    assert.deepEqual(parseStopCondition('response.a >= 3').right, { literal: 3 });
  });

  it('rejects a condition without a comparison', () => {
    assert.throws(
      () => parseStopCondition('response.paging.count_pages'),
      (e: unknown) => {
        return e instanceof StopConditionSyntaxError && /has no comparison/.test(e.message);
      },
    );
    // A single `=` is not a comparison.
    assert.throws(() => parseStopCondition('response.a = 3'), StopConditionSyntaxError);
  });

  it('rejects operands it cannot read, naming them', () => {
    const cases: [string, string][] = [
      ['paging.count_pages == 1', 'paging.count_pages'],
      ['response. == 1', 'response.'],
      ['response == 1', 'response'],
      ['response.a == ', ''],
      ['response.a == 1 + 1', '1 + 1'],
      ['response.a-b == 1', 'response.a-b'],
    ];
    for (const [source, operand] of cases) {
      assert.throws(
        () => parseStopCondition(source),
        (e: unknown) =>
          e instanceof StopConditionSyntaxError &&
          e.message.startsWith(`cannot read ${JSON.stringify(operand)}`),
        source,
      );
    }
  });
});

describe('evaluateStopCondition', () => {
  const seed = parseStopCondition(SEED);

  it("holds on the seed's last page and not before", () => {
    assert.equal(evaluateStopCondition(seed, paging(3, 3)), true);
    assert.equal(evaluateStopCondition(seed, paging(1, 3)), false);
    assert.equal(evaluateStopCondition(seed, paging(2, 3)), false);
  });

  it('compares numeric strings numerically', () => {
    assert.equal(evaluateStopCondition(seed, { paging: { count_pages: '3', current_page: 3 } }), true);
    assert.equal(evaluateStopCondition(seed, { paging: { count_pages: '3', current_page: '3.0' } }), true);
    assert.equal(evaluateStopCondition(seed, { paging: { count_pages: '4', current_page: '3' } }), false);
    // '10' > '9' as numbers, though not as strings.
    const gt = parseStopCondition('response.a > response.b');
    assert.equal(evaluateStopCondition(gt, { a: '10', b: '9' }), true);
  });

  it('never holds when a path is missing', () => {
    assert.equal(evaluateStopCondition(seed, {}), false);
    assert.equal(evaluateStopCondition(seed, { paging: { count_pages: 1 } }), false);
    assert.equal(evaluateStopCondition(seed, null), false);
    assert.equal(evaluateStopCondition(seed, { paging: 'x' }), false);
    assert.deepEqual(readOperands(seed, { paging: { count_pages: 1 } }), [1, undefined]);
  });

  it('evaluates the other operators', () => {
    const ev = (cond: string, response: unknown) => evaluateStopCondition(parseStopCondition(cond), response);
    assert.equal(ev('response.a != 3', { a: 4 }), true);
    assert.equal(ev('response.a != 3', { a: 3 }), false);
    assert.equal(ev('response.a >= 3', { a: 3 }), true);
    assert.equal(ev('response.a >= 3', { a: 2 }), false);
    assert.equal(ev('response.a <= 3', { a: 3 }), true);
    assert.equal(ev('response.a <= 3', { a: 4 }), false);
    assert.equal(ev('response.a > 3', { a: 3 }), false);
    assert.equal(ev('response.a > 3', { a: 4 }), true);
    assert.equal(ev('response.a < 3', { a: 2 }), true);
    assert.equal(ev('response.a < 3', { a: 3 }), false);
  });

  it('compares strings, booleans and null as they are', () => {
    const ev = (cond: string, response: unknown) => evaluateStopCondition(parseStopCondition(cond), response);
    assert.equal(ev("response.state == 'done'", { state: 'done' }), true);
    assert.equal(ev("response.state == 'done'", { state: 'running' }), false);
    assert.equal(ev('response.more == false', { more: false }), true);
    assert.equal(ev('response.more == false', { more: 0 }), false);
    assert.equal(ev('response.next == null', { next: null }), true);
    assert.equal(ev('response.next == null', { next: 'abc' }), false);
  });
});

/** dlt's page-number paginator with the seed's stop condition, every default spelled out. */
const paginator: PaginatorConfig = {
  type: 'page_number',
  page_param: 'page',
  base_page: 1,
  limit: 10,
  limit_param: 'items_per_page',
  stop_condition: SEED,
  total_path: 'paging.count_pages',
  total_items_path: 'paging.count_items',
  max_concurrency: 4,
};

describe('decidePageStop', () => {
  it('stops when the condition holds, reporting the counts', () => {
    const stop = decidePageStop(paginator, { ...paging(3, 3, 25), items: [] }, 3, 5);
    assert.equal(stop.last, true);
    assert.equal(stop.complete, true);
    assert.equal(stop.reason, `stop condition holds (${SEED})`);
    assert.equal(stop.countPages, 3);
    assert.equal(stop.countItems, 25);
  });

  it('goes on after page 1 of 3', () => {
    assert.deepEqual(decidePageStop(paginator, paging(1, 3, 25), 1, 10), {
      last: false,
      complete: true,
      reason: 'page 1 of 3',
      countPages: 3,
      countItems: 25,
    });
  });

  it('stops on an empty page before the declared end, as an incomplete read', () => {
    // The condition does not hold (page 2 of 3): the list shrank while it was read, or the server failed.
    const stop = decidePageStop(paginator, paging(2, 3), 2, 0);
    assert.deepEqual(stop, {
      last: true,
      complete: false,
      reason: 'page 2 of 3 is empty',
      countPages: 3,
      countItems: 30,
    });
  });

  it('calls an empty page at or past the declared end complete', () => {
    // Page 3 of 3 with a current_page the condition does not match (the server echoes another page).
    const atEnd = decidePageStop(paginator, paging(1, 3), 3, 0);
    assert.deepEqual([atEnd.last, atEnd.complete, atEnd.reason], [true, true, 'page 3 of 3 is empty']);
    const pastEnd = decidePageStop(paginator, paging(1, 3), 4, 0);
    assert.deepEqual([pastEnd.last, pastEnd.complete, pastEnd.reason], [true, true, 'page 4 of 3 is empty']);
  });

  it('calls an empty page complete when count_items is 0, whatever the page count', () => {
    const stop = decidePageStop(
      paginator,
      { paging: { current_page: 1, count_pages: 3, count_items: 0 } },
      1,
      0,
    );
    assert.deepEqual(stop, {
      last: true,
      complete: true,
      reason: 'page 1 of 3 is empty',
      countPages: 3,
      countItems: 0,
    });
  });

  it('calls an empty page of an empty list complete', () => {
    // count_pages 0 with count_items 0: the list is empty and page 1 is past its end.
    const stop = decidePageStop(
      paginator,
      { paging: { current_page: 1, count_pages: 0, count_items: 0 } },
      1,
      0,
    );
    assert.deepEqual([stop.last, stop.complete], [true, true]);
  });

  it('calls an empty page without count_items before the end incomplete', () => {
    const stop = decidePageStop(paginator, { paging: { current_page: 1, count_pages: 2 } }, 1, 0);
    assert.deepEqual([stop.last, stop.complete, stop.countItems], [true, false, undefined]);
  });

  it('stops when the response has no paging object, as an incomplete read', () => {
    const stop = decidePageStop(paginator, { items: [1, 2] }, 1, 2);
    assert.equal(stop.last, true);
    assert.equal(stop.complete, false);
    assert.equal(stop.reason, 'page 1 has no page count (paging.count_pages)');
    assert.equal(stop.countPages, undefined);
    assert.equal(stop.countItems, undefined);
  });

  it('stops when count_pages is not a count, as an incomplete read', () => {
    for (const count_pages of [-1, 1.5, 'many', null]) {
      const stop = decidePageStop(paginator, { paging: { current_page: 2, count_pages } }, 2, 3);
      assert.deepEqual(
        [stop.last, stop.complete, stop.reason],
        [true, false, 'page 2 has no page count (paging.count_pages)'],
        String(count_pages),
      );
    }
  });

  it('stops when count_pages is 0', () => {
    const stop = decidePageStop(paginator, paging(1, 0), 1, 3);
    assert.deepEqual(
      [stop.last, stop.complete, stop.reason, stop.countPages],
      [true, true, 'page count is 0', 0],
    );
  });

  it('stops when the requested page is past count_pages', () => {
    // The server echoes page 1 for an out-of-range request: the condition does not hold, the guard does.
    const stop = decidePageStop(paginator, paging(1, 3), 5, 10);
    assert.deepEqual([stop.last, stop.complete, stop.reason], [true, true, 'page 5 of 3']);
  });

  it('lets the stop condition win over the empty-page guard', () => {
    // The last page of a list that shrank to a multiple of the page size can be empty: condition holds.
    const stop = decidePageStop(paginator, paging(3, 3), 3, 0);
    assert.deepEqual([stop.last, stop.complete, stop.reason], [true, true, `stop condition holds (${SEED})`]);
  });

  it('reads a numeric-string page count', () => {
    const stop = decidePageStop(
      paginator,
      { paging: { current_page: 1, count_pages: '4', count_items: '31' } },
      1,
      10,
    );
    assert.deepEqual(stop, {
      last: false,
      complete: true,
      reason: 'page 1 of 4',
      countPages: 4,
      countItems: 31,
    });
  });

  it('always calls an unpaged endpoint last, and incomplete when the server paged it after all', () => {
    assert.deepEqual(decidePageStop(undefined, paging(1, 3), 1, 10), {
      last: true,
      complete: false,
      reason:
        'the server pages this list (paging.count_pages is 3) but the configuration has no paginator: only the first page was read',
    });
    assert.deepEqual(decidePageStop(undefined, paging(1, 1), 1, 10), {
      last: true,
      complete: true,
      reason: 'endpoint is not paged',
    });
    assert.deepEqual(decidePageStop(undefined, {}, 1, 0), {
      last: true,
      complete: true,
      reason: 'endpoint is not paged',
    });
  });

  it('follows a custom total_path and total_items_path', () => {
    const custom = { ...paginator, stop_condition: 'response.meta.page >= response.meta.count_pages' };
    const stop = decidePageStop(
      { ...custom, total_path: 'meta.count_pages', total_items_path: 'meta.count_items' },
      {
        meta: { page: 2, count_pages: 5, count_items: 48 },
      },
      2,
      10,
    );
    assert.deepEqual(stop, {
      last: false,
      complete: true,
      reason: 'page 2 of 5',
      countPages: 5,
      countItems: 48,
    });
  });

  // The item count has a path of its own (once derived from the page count's, which could misread it).
  it('does not report the page count as the item count for other count paths', () => {
    const custom = {
      ...paginator,
      stop_condition: 'response.meta.page == response.meta.pages',
      total_path: 'meta.pages',
    };
    const stop = decidePageStop(custom, { meta: { page: 1, pages: 5 } }, 1, 10);
    assert.equal(stop.countPages, 5);
    assert.equal(stop.countItems, undefined);
  });

  it('readPath walks dotted paths and stops at non-objects', () => {
    assert.equal(readPath({ a: { b: { c: 7 } } }, 'a.b.c'), 7);
    assert.equal(readPath({ a: 1 }, 'a.b'), undefined);
    assert.deepEqual(readPath({ entries: [1] }, 'entries'), [1]);
  });
});

// A worker may get a paginator written before dlt's names: a run started by an older client, or a
// recorded history replayed. It must ask for the same pages and stop at the same one.
describe('a paginator with the old keys, as older inputs hold it', () => {
  const legacy: LegacyPaginatorConfig = {
    type: 'cursor',
    cursor_param: 'page',
    limit: 10,
    limit_param: 'items_per_page',
    stop_condition: SEED,
    count_pages_path: 'paging.count_pages',
    max_concurrency: 4,
  };
  const current = paginator;

  it('reads as the current form', () => {
    assert.deepEqual(paginatorOf(legacy), current);
    assert.deepEqual(paginatorOf(current), current);
    assert.equal(paginatorOf(undefined), undefined);
  });

  it('asks for the same page with the same parameters', () => {
    assert.deepEqual(pageRequestParams(legacy, 3), [
      ['page', '3'],
      ['items_per_page', '10'],
    ]);
    assert.deepEqual(pageRequestParams(legacy, 1, 1), pageRequestParams(current, 1, 1));
    // A server that numbers pages from 0 gets one less.
    assert.deepEqual(pageRequestParams({ ...current, base_page: 0 }, 1)[0], ['page', '0']);
  });

  it('stops at the same page, for the same reason', () => {
    const responses = [paging(1, 3, 25), paging(3, 3, 25), { items: [] }, paging(2, 3)];
    for (const r of responses)
      for (const [page, records] of [
        [1, 10],
        [3, 0],
        [2, 5],
      ])
        assert.deepEqual(decidePageStop(legacy, r, page, records), decidePageStop(current, r, page, records));
  });
});

describe('nextPages', () => {
  it('reads page 1 alone, then up to the known count in chunks, then one at a time', () => {
    assert.deepEqual(nextPages(1, 1, 50), [1]);
    assert.deepEqual(nextPages(2, 4, 50), [2, 3, 4]);
    assert.deepEqual(nextPages(2, 100, 3), [2, 3, 4]);
    assert.deepEqual(nextPages(5, 4, 50), [5]);
  });
});
