// Whether one read of a list is a faithful snapshot. Page-number paging over a list that changes
// while it is read shifts records between pages: one is skipped, another comes twice. Such a read
// shows it in its counts: count_items moves between pages, or the ids received do not add up to it.
import type { ReadFacts, SeenRecords } from '../domain/types';

/** `collisions`: records that shared a key with another record of the read but not its content. */
export type Verdict = { consistent: true; collisions: number } | { consistent: false; reason: string };

/**
 * @param facts what the pages of the read said
 * @param seen the distinct keys and records the read received (from the destination's seen ids)
 */
export function judgeRead(facts: ReadFacts, seen: SeenRecords): Verdict {
  if (!facts.complete) return { consistent: false, reason: facts.incompleteReason ?? 'read incomplete' };
  const { countItemsMin: lo, countItemsMax: hi } = facts;
  if (lo !== undefined && hi !== undefined && lo !== hi) {
    return { consistent: false, reason: `count_items changed from page to page (${lo}..${hi})` };
  }
  if (hi !== undefined && facts.records !== hi) {
    return { consistent: false, reason: `received ${facts.records} records for count_items ${hi}` };
  }
  // Records without a usable id (quarantined) have no id to count; those past a window's end were not kept.
  const identified = facts.records - facts.quarantined - (facts.outside ?? 0);
  // A shifting list shows a record on two pages: the same content twice. Two contents under one key are
  // two records that collide, which a new read would only find again: counted, not read again.
  if (seen.records !== identified) {
    return {
      consistent: false,
      reason: `received ${identified} records with an id but ${seen.records} distinct ones`,
    };
  }
  return { consistent: true, collisions: seen.records - seen.ids };
}
