// Which reads' stored states a worker drops: ended reads first, and never a read still going for
// the total alone (it would load its scope again at its next page).
import { strict as assert } from 'assert';
import { ACTIVE_MS, MAX_TOTAL_ROWS, readsToEvict } from '../../clickhouse/stored-state-cache';

const NOW = 10_000_000;
/** Reads in order of last use, each `[key, ms since last use, rows]`. */
const reads = (...list: [string, number, number][]) =>
  list.map(([key, ago, rows]) => ({ key, usedAt: NOW - ago, rows }));

describe('stored-state cache eviction', () => {
  it('keeps everything within the total', () => {
    assert.deepEqual(readsToEvict(reads(['a', 60_000, 1000], ['b', 0, 1000]), NOW, 5000), []);
  });

  it('drops reads idle for ten minutes, whatever the total', () => {
    assert.deepEqual(readsToEvict(reads(['a', 11 * 60_000, 1], ['b', 0, 1]), NOW, 5000), ['a']);
  });

  it('over the total, drops ended reads, least recently used first, until it fits', () => {
    const list = reads(['a', 120_000, 3000], ['b', 90_000, 3000], ['c', 60_000, 3000], ['d', 0, 3000]);
    assert.deepEqual(readsToEvict(list, NOW, 7000), ['a', 'b']);
  });

  it('never drops a read used within ACTIVE_MS for the total: going reads may exceed it', () => {
    const list = reads(['a', ACTIVE_MS + 1, 3000], ['b', ACTIVE_MS - 1, 3000], ['c', 0, 3000]);
    assert.deepEqual(readsToEvict(list, NOW, 1000), ['a']);
  });

  it('keeps at most 16 reads', () => {
    const many = reads(...Array.from({ length: 18 }, (_, i): [string, number, number] => [`r${i}`, 0, 1]));
    assert.deepEqual(readsToEvict(many, NOW), ['r0', 'r1']);
  });

  it('holds 300,000 states by default (about 40 MB of heap)', () => {
    assert.equal(MAX_TOTAL_ROWS, 300_000);
  });
});
