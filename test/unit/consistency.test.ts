// judgeRead: a paged read of a changing list may skip or repeat records; only a read whose counts add
// up may be trusted to mark deletions, so every way the counts can disagree must be caught.
import { strict as assert } from 'assert';
import type { ReadFacts } from '../../shared/types';
import { judgeRead } from '../../workflows/consistency';

/** Facts of a complete three-page read of 25 records, each received once. */
const facts = (overrides: Partial<ReadFacts> = {}): ReadFacts => ({
  pages: 3,
  records: 25,
  written: 25,
  unchanged: 0,
  stale: 0,
  quarantined: 0,
  shapeWarnings: 0,
  retries: 0,
  countItemsMin: 25,
  countItemsMax: 25,
  complete: true,
  ...overrides,
});

describe('judgeRead', () => {
  it('trusts a complete read whose counts add up', () => {
    assert.deepEqual(judgeRead(facts(), 25), { consistent: true });
  });

  it('rejects an incomplete read with its reason, whatever the counts', () => {
    const incomplete = facts({ complete: false, incompleteReason: 'page 2 of 3 is empty' });
    assert.deepEqual(judgeRead(incomplete, 25), { consistent: false, reason: 'page 2 of 3 is empty' });
    assert.deepEqual(judgeRead(facts({ complete: false }), 25), {
      consistent: false,
      reason: 'read incomplete',
    });
  });

  it('rejects a read whose count_items changed between pages', () => {
    // Even when the records and ids happen to match the final count.
    const v = judgeRead(facts({ countItemsMin: 25, countItemsMax: 26, records: 26 }), 26);
    assert.deepEqual(v, { consistent: false, reason: 'count_items changed from page to page (25..26)' });
  });

  it('rejects a read that received more or fewer records than count_items', () => {
    assert.deepEqual(judgeRead(facts({ records: 24 }), 24), {
      consistent: false,
      reason: 'received 24 records for count_items 25',
    });
    assert.deepEqual(judgeRead(facts({ records: 26 }), 26), {
      consistent: false,
      reason: 'received 26 records for count_items 25',
    });
  });

  it('rejects a read in which a record came twice (fewer distinct ids than records)', () => {
    // 25 records as declared, but one id twice: another record was skipped.
    assert.deepEqual(judgeRead(facts(), 24), {
      consistent: false,
      reason: 'received 25 records with an id but 24 distinct ids',
    });
  });

  it('accounts for quarantined records, which have no id to count', () => {
    assert.deepEqual(judgeRead(facts({ quarantined: 2 }), 23), { consistent: true });
    // Counting them as ids would hide a duplicate.
    assert.deepEqual(judgeRead(facts({ quarantined: 2 }), 22), {
      consistent: false,
      reason: 'received 23 records with an id but 22 distinct ids',
    });
    assert.equal(judgeRead(facts({ quarantined: 2 }), 25).consistent, false);
  });

  it('judges a read without count_items (an unpaged endpoint) by its ids only', () => {
    const unpaged = facts({ pages: 1, records: 12, countItemsMin: undefined, countItemsMax: undefined });
    assert.deepEqual(judgeRead(unpaged, 12), { consistent: true });
    assert.deepEqual(judgeRead(unpaged, 11), {
      consistent: false,
      reason: 'received 12 records with an id but 11 distinct ids',
    });
  });

  it('trusts an empty read that declared nothing', () => {
    assert.deepEqual(judgeRead(facts({ records: 0, countItemsMin: 0, countItemsMax: 0 }), 0), {
      consistent: true,
    });
  });
});
