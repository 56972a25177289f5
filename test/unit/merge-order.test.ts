// decideWrites: ReplacingMergeTree keeps the row with the highest version, so the version each write
// gets must make the newest source state win whatever order pages, retries and runs finish in.
import { strict as assert } from 'assert';
import { decideWrites, StoredState } from '../../clickhouse/merge-order';
import type { Row } from '../../clickhouse/row-mapping';

const OBSERVED = 1_750_000_000_000;
const CHANGED = 1_749_000_000; // the cursor column, epoch seconds

/** A mapped row as recordToRow makes it: version 0, until the decision sets it. */
const row = (id: number, hash: number, changedAt: number | null = CHANGED): Row => ({
  id,
  time_last_change: changedAt,
  _hash: hash,
  _version: 0,
  _is_deleted: 0,
});

const stored = (...states: StoredState[]) => new Map(states.map((s) => [s.id, s]));
const state = (id: number, overrides: Partial<StoredState> = {}): StoredState => ({
  id,
  hash: 111,
  deleted: false,
  version: OBSERVED - 60_000,
  changedAt: CHANGED,
  ...overrides,
});

const decide = (rows: Row[], s: Map<number, StoredState>) =>
  decideWrites(rows, 'id', 'time_last_change', s, OBSERVED);

describe('decideWrites', () => {
  it('writes ids the destination does not hold, versioned with the observation time', () => {
    const d = decide([row(1, 111), row(2, 222)], stored());
    assert.deepEqual(
      d.write.map((r) => [r.id, r._version]),
      [
        [1, OBSERVED],
        [2, OBSERVED],
      ],
    );
    assert.deepEqual([d.unchanged, d.stale], [0, 0]);
  });

  it('does not change the rows it was given', () => {
    const input = row(1, 111);
    decide([input], stored());
    assert.equal(input._version, 0);
  });

  it('skips a record identical to the live stored row', () => {
    const d = decide([row(1, 111)], stored(state(1)));
    assert.deepEqual([d.write.length, d.unchanged, d.stale], [0, 1, 0]);
  });

  it('skips an identical record even when the stored row was observed later', () => {
    const d = decide([row(1, 111)], stored(state(1, { version: OBSERVED + 5_000 })));
    assert.deepEqual([d.write.length, d.unchanged, d.stale], [0, 1, 0]);
  });

  it('restores a record whose deletion marker has the same hash, when observed after the marker', () => {
    const d = decide([row(1, 111)], stored(state(1, { deleted: true, version: OBSERVED - 1_000 })));
    assert.deepEqual([d.write.length, d.unchanged, d.stale], [1, 0, 0]);
    assert.equal(d.write[0]._is_deleted, 0);
    assert.equal(d.write[0]._version, OBSERVED);
  });

  it('does not restore a record from a page observed before its deletion was marked', () => {
    const d = decide([row(1, 111)], stored(state(1, { deleted: true, version: OBSERVED + 1_000 })));
    assert.deepEqual([d.write.length, d.unchanged, d.stale], [0, 0, 1]);
  });

  it("drops a record whose change time is older than the stored row's, however late it was observed", () => {
    const d = decide([row(1, 999, CHANGED - 1)], stored(state(1, { version: OBSERVED - 3_600_000 })));
    assert.deepEqual([d.write.length, d.unchanged, d.stale], [0, 0, 1]);
  });

  it('drops a changed record with the same change time observed before the stored row', () => {
    const d = decide([row(1, 999)], stored(state(1, { version: OBSERVED + 1 })));
    assert.deepEqual([d.write.length, d.unchanged, d.stale], [0, 0, 1]);
  });

  it('writes a changed record with the same change time observed after the stored row', () => {
    const d = decide([row(1, 999)], stored(state(1, { version: OBSERVED - 1 })));
    assert.deepEqual(
      d.write.map((r) => [r.id, r._version]),
      [[1, OBSERVED]],
    );
  });

  it('writes a record newer by change time even when the stored version is later, one above it', () => {
    const storedVersion = OBSERVED + 10_000;
    const d = decide([row(1, 999, CHANGED + 1)], stored(state(1, { version: storedVersion })));
    assert.deepEqual([d.write.length, d.stale], [1, 0]);
    assert.equal(d.write[0]._version, storedVersion + 1);
  });

  it('orders by observation when either side has no change time', () => {
    const late = stored(state(1, { version: OBSERVED + 1 }));
    assert.equal(decide([row(1, 999, null)], late).stale, 1);
    assert.equal(
      decide([row(1, 999)], stored(state(1, { changedAt: null, version: OBSERVED + 1 }))).stale,
      1,
    );
    // A resource without a cursor column orders by observation only.
    const noCursor = (rows: Row[], s: Map<number, StoredState>) =>
      decideWrites(rows, 'id', undefined, s, OBSERVED);
    assert.equal(noCursor([row(1, 999, CHANGED + 1)], late).stale, 1);
    assert.equal(noCursor([row(1, 999)], stored(state(1))).write[0]._version, OBSERVED);
  });

  it('always writes a version above the stored one', () => {
    const cases: StoredState[] = [
      state(1, { version: OBSERVED - 1 }),
      state(1, { version: OBSERVED }),
      state(1, { version: OBSERVED + 1, changedAt: CHANGED - 10 }),
      state(1, { version: OBSERVED, deleted: true }),
      state(1, { version: OBSERVED + 50, deleted: true, changedAt: CHANGED - 1 }),
    ];
    for (const s of cases) {
      const d = decide([row(1, 999)], stored(s));
      assert.equal(d.write.length, 1, JSON.stringify(s));
      assert.ok((d.write[0]._version as number) > s.version, JSON.stringify(s));
    }
  });

  it('counts each row once across a mixed page', () => {
    const d = decide(
      [row(1, 111), row(2, 999, CHANGED - 1), row(3, 333), row(4, 999)],
      stored(state(1), state(2), state(4, { version: OBSERVED - 1 })),
    );
    assert.deepEqual(
      d.write.map((r) => r.id),
      [3, 4],
    );
    assert.deepEqual([d.unchanged, d.stale], [1, 1]);
  });
});
