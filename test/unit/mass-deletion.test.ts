// The mass-deletion guard: an empty or cut-short read, or an API key that lost its rights, must not
// wipe a table; ordinary deletions within the allowed share must still be written.
import { strict as assert } from 'assert';
import { deletionAllowance, massDeletionReason } from '../../activities/mark-deletions';

const GUARDED = { recordsRead: 900, maxDeleteShare: 0.1, allowMassDelete: false };

describe('deletionAllowance', () => {
  it('allows the share of the live rows, rounded down', () => {
    assert.equal(deletionAllowance(1000, 0.1), 100);
    assert.equal(deletionAllowance(1009, 0.1), 100);
    assert.equal(deletionAllowance(1000, 0.25), 250);
    assert.equal(deletionAllowance(1000, 1), 1000);
  });

  it('always allows at least one deletion', () => {
    assert.equal(deletionAllowance(5, 0.1), 1);
    assert.equal(deletionAllowance(1, 0.1), 1);
    assert.equal(deletionAllowance(0, 0.1), 1);
    assert.equal(deletionAllowance(1000, 0), 1);
  });
});

describe('massDeletionReason', () => {
  it('lets deletions within the share through', () => {
    assert.equal(massDeletionReason(GUARDED, 1000, 1), undefined);
    assert.equal(massDeletionReason(GUARDED, 1000, 100), undefined);
  });

  it('holds back deletions over the share, saying how many of how many', () => {
    assert.equal(
      massDeletionReason(GUARDED, 1000, 101),
      '101 of 1000 live rows vanished, more than 10% (100)',
    );
    assert.equal(
      massDeletionReason(GUARDED, 1000, 1000),
      '1000 of 1000 live rows vanished, more than 10% (100)',
    );
  });

  it('lets a single deletion through in a small table', () => {
    assert.equal(massDeletionReason(GUARDED, 3, 1), undefined);
    assert.equal(massDeletionReason(GUARDED, 3, 2), '2 of 3 live rows vanished, more than 10% (1)');
  });

  it('holds back any deletion when the read came back empty but rows are live', () => {
    const empty = { ...GUARDED, recordsRead: 0 };
    assert.equal(massDeletionReason(empty, 500, 500), 'the read came back empty but 500 rows are live there');
    // Even one: an empty answer is more likely a failure than a list emptied down to nothing.
    assert.match(massDeletionReason(empty, 1, 1) ?? '', /^the read came back empty/);
  });

  it('lets --allow-mass-delete override both guards', () => {
    assert.equal(massDeletionReason({ ...GUARDED, allowMassDelete: true }, 1000, 1000), undefined);
    assert.equal(
      massDeletionReason({ recordsRead: 0, maxDeleteShare: 0.1, allowMassDelete: true }, 500, 500),
      undefined,
    );
  });

  it('never holds back when there is nothing to delete', () => {
    assert.equal(massDeletionReason(GUARDED, 1000, 0), undefined);
    assert.equal(massDeletionReason({ ...GUARDED, recordsRead: 0 }, 1000, 0), undefined);
    assert.equal(massDeletionReason({ ...GUARDED, maxDeleteShare: 0 }, 0, 0), undefined);
  });
});
