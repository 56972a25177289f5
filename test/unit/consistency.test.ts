// judgeRead: a paged read of a changing list may skip or repeat records; only a read whose counts add
// up may be trusted to mark deletions, so every way the counts can disagree must be caught.
import { strict as assert } from 'assert';
import type { ReadFacts, SeenRecords } from '../../domain/types';
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

/** What the seen ids say: n distinct keys, each with one content unless said otherwise. */
const seen = (ids: number, records = ids): SeenRecords => ({ ids, records });
const trusted = { consistent: true, collisions: 0 };

describe('judgeRead', () => {
  it('trusts a complete read whose counts add up', () => {
    assert.deepEqual(judgeRead(facts(), seen(25)), trusted);
  });

  it('rejects an incomplete read with its reason, whatever the counts', () => {
    const incomplete = facts({ complete: false, incompleteReason: 'page 2 of 3 is empty' });
    assert.deepEqual(judgeRead(incomplete, seen(25)), { consistent: false, reason: 'page 2 of 3 is empty' });
    assert.deepEqual(judgeRead(facts({ complete: false }), seen(25)), {
      consistent: false,
      reason: 'read incomplete',
    });
  });

  it('rejects a read whose count_items changed between pages', () => {
    // Even when the records and ids happen to match the final count.
    const v = judgeRead(facts({ countItemsMin: 25, countItemsMax: 26, records: 26 }), seen(26));
    assert.deepEqual(v, { consistent: false, reason: 'count_items changed from page to page (25..26)' });
  });

  it('rejects a read that received more or fewer records than count_items', () => {
    assert.deepEqual(judgeRead(facts({ records: 24 }), seen(24)), {
      consistent: false,
      reason: 'received 24 records for count_items 25',
    });
    assert.deepEqual(judgeRead(facts({ records: 26 }), seen(26)), {
      consistent: false,
      reason: 'received 26 records for count_items 25',
    });
  });

  it('rejects a read in which a record came twice (fewer distinct ids than records)', () => {
    // 25 records as declared, but one id twice: another record was skipped.
    assert.deepEqual(judgeRead(facts(), seen(24)), {
      consistent: false,
      reason: 'received 25 records with an id but 24 distinct ones',
    });
  });

  it('accounts for quarantined records, which have no id to count', () => {
    assert.deepEqual(judgeRead(facts({ quarantined: 2 }), seen(23)), trusted);
    // Counting them as ids would hide a duplicate.
    assert.deepEqual(judgeRead(facts({ quarantined: 2 }), seen(22)), {
      consistent: false,
      reason: 'received 23 records with an id but 22 distinct ones',
    });
    assert.equal(judgeRead(facts({ quarantined: 2 }), seen(25)).consistent, false);
  });

  it('judges a read without count_items (an unpaged endpoint) by its ids only', () => {
    const unpaged = facts({ pages: 1, records: 12, countItemsMin: undefined, countItemsMax: undefined });
    assert.deepEqual(judgeRead(unpaged, seen(12)), trusted);
    assert.deepEqual(judgeRead(unpaged, seen(11)), {
      consistent: false,
      reason: 'received 12 records with an id but 11 distinct ones',
    });
  });

  it('tells a key collision (one id, two contents) from a record that came twice', () => {
    // 25 records, 24 keys: one key with two different records. Nothing was skipped: consistent, and
    // the collision is counted for the run to keep both records.
    assert.deepEqual(judgeRead(facts(), seen(24, 25)), { consistent: true, collisions: 1 });
    // A record shown twice by a shifting list has one content: 24 distinct records for 25 received.
    assert.deepEqual(judgeRead(facts(), seen(24, 24)), {
      consistent: false,
      reason: 'received 25 records with an id but 24 distinct ones',
    });
  });

  it('leaves out records past the window end, which the next window holds', () => {
    assert.deepEqual(judgeRead(facts({ outside: 3 }), seen(22)), trusted);
    assert.equal(judgeRead(facts({ outside: 3 }), seen(25)).consistent, false);
  });

  it('trusts an empty read that declared nothing', () => {
    assert.deepEqual(judgeRead(facts({ records: 0, countItemsMin: 0, countItemsMax: 0 }), seen(0)), trusted);
  });
});
