// Whether one read of a list is a faithful snapshot. Page-number paging over a list that changes
// while it is read shifts records between pages: one is skipped, another comes twice. Such a read
// shows it in its counts: count_items moves between pages, or the ids received do not add up to it.
import type { ReadFacts } from '../shared/types';

export type Verdict = { consistent: true } | { consistent: false; reason: string };

/**
 * @param facts what the pages of the read said
 * @param distinctIds distinct primary keys the read received (from the destination's seen ids)
 */
export function judgeRead(facts: ReadFacts, distinctIds: number): Verdict {
  if (!facts.complete) return { consistent: false, reason: facts.incompleteReason ?? 'read incomplete' };
  const { countItemsMin: lo, countItemsMax: hi } = facts;
  if (lo !== undefined && hi !== undefined && lo !== hi) {
    return { consistent: false, reason: `count_items changed from page to page (${lo}..${hi})` };
  }
  if (hi !== undefined && facts.records !== hi) {
    return { consistent: false, reason: `received ${facts.records} records for count_items ${hi}` };
  }
  // Records without a usable id (quarantined) have no id to count.
  const identified = facts.records - facts.quarantined;
  if (distinctIds !== identified) {
    return {
      consistent: false,
      reason: `received ${identified} records with an id but ${distinctIds} distinct ids`,
    };
  }
  return { consistent: true };
}
