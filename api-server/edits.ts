// Edits the way people make them, for measurements of incremental runs: entries of the last three
// weeks get a new text and a new time_last_change, as when someone corrects their recent time.
import { DAY, formatDateTime, SECOND } from './time';
import { Dataset } from './types';

/** Changes `count` entries spread over the recent weeks (all of them if fewer); returns their ids. */
export function changeRecentEntries(dataset: Dataset, count: number, nowMs: number): number[] {
  const recent: number[] = [];
  dataset.entries.forEach((e, i) => {
    const since = Date.parse(e.time_since);
    if (since > nowMs - 21 * DAY && since <= nowMs) recent.push(i);
  });
  const n = Math.min(count, recent.length);
  // A second in the past: an incremental window ending now includes the change.
  const stamp = formatDateTime(nowMs - SECOND);
  const tag = formatDateTime(nowMs);
  const ids: number[] = [];
  for (let k = 0; k < n; k++) {
    const i = recent[Math.floor((k * recent.length) / n)];
    const e = dataset.entries[i];
    dataset.entries[i] = { ...e, text: `changed ${k} at ${tag}`, time_last_change: stamp };
    ids.push(e.id);
  }
  return ids;
}
