// The compact store of stored states: what goes in comes out, past any growth of its arrays.
import { strict as assert } from 'assert';
import { StateTable } from '../../clickhouse/state-table';
import type { StoredState } from '../../clickhouse/merge-order';

const state = (id: number): StoredState => ({
  id,
  // 48-bit hashes and millisecond versions: beyond 32 bits, as the real ones are.
  hash: 2 ** 47 + id * 7919,
  deleted: id % 5 === 0,
  version: 1_764_000_000_000 + id,
  changedAt: id % 3 === 0 ? null : 1_764_000_000 + id,
});

describe('state table', () => {
  it('gives back every state set, exactly, across growth', () => {
    const table = new StateTable();
    const ids = Array.from({ length: 5000 }, (_, i) => i * 1009 + 1);
    for (const id of ids) table.set(state(id));
    assert.equal(table.size, ids.length);
    for (const id of ids) assert.deepEqual(table.get(id), state(id));
    assert.equal(table.get(2), undefined);
  });

  it('replaces a state set again for the same id, without a second slot', () => {
    const table = new StateTable();
    table.set(state(10));
    const newer = { ...state(10), hash: 42, deleted: false, version: 2e12, changedAt: null };
    table.set(newer);
    assert.equal(table.size, 1);
    assert.deepEqual(table.get(10), newer);
  });

  it('keeps ids a composite key makes (52 bits)', () => {
    const table = new StateTable();
    const id = 2 ** 52 - 3;
    table.set(state(id));
    assert.deepEqual(table.get(id), state(id));
  });
});
