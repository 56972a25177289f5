// The stored states of one read, kept compactly: a Map from id to a slot and 25 bytes of typed arrays
// per record, about 60 bytes in all, where a Map of StoredState objects takes about 130 (the object,
// its numbers boxed on the heap, the Map's entry). At 1,000,000 entries a worker holds a few hundred
// thousand of them, and as objects they filled its heap.
import type { StoredState } from './merge-order';

const FIRST_CAPACITY = 1024;

export class StateTable {
  private readonly slots = new Map<number, number>();
  private hash = new Float64Array(FIRST_CAPACITY);
  private version = new Float64Array(FIRST_CAPACITY);
  /** NaN for none. */
  private changedAt = new Float64Array(FIRST_CAPACITY);
  private deleted = new Uint8Array(FIRST_CAPACITY);

  get size(): number {
    return this.slots.size;
  }

  get(id: number): StoredState | undefined {
    const slot = this.slots.get(id);
    if (slot === undefined) return undefined;
    const changedAt = this.changedAt[slot];
    return {
      id,
      hash: this.hash[slot],
      deleted: this.deleted[slot] === 1,
      version: this.version[slot],
      changedAt: Number.isNaN(changedAt) ? null : changedAt,
    };
  }

  set(state: StoredState): void {
    let slot = this.slots.get(state.id);
    if (slot === undefined) {
      slot = this.slots.size;
      if (slot === this.hash.length) this.grow();
      this.slots.set(state.id, slot);
    }
    this.hash[slot] = state.hash;
    this.version[slot] = state.version;
    this.changedAt[slot] = state.changedAt ?? NaN;
    this.deleted[slot] = state.deleted ? 1 : 0;
  }

  private grow(): void {
    const capacity = this.hash.length * 2;
    const grown = <A extends Float64Array | Uint8Array>(a: A, make: (n: number) => A): A => {
      const b = make(capacity);
      b.set(a);
      return b;
    };
    this.hash = grown(this.hash, (n) => new Float64Array(n));
    this.version = grown(this.version, (n) => new Float64Array(n));
    this.changedAt = grown(this.changedAt, (n) => new Float64Array(n));
    this.deleted = grown(this.deleted, (n) => new Uint8Array(n));
  }
}
