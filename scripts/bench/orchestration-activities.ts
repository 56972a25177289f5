// The activities of the orchestration benchmark (orchestration-cost.ts). Every "page" does the same
// small CPU work and nothing else (no HTTP, no ClickHouse), so that the shapes differ only in how
// Temporal orchestrates the pages.
import { Context } from '@temporalio/activity';

/** A page's records, built once: what a page's JSON round trip works on. */
const RECORDS = Array.from({ length: 1000 }, (_, i) => ({
  id: 1_000_000 + i,
  users_id: 100 + (i % 37),
  customers_id: 2000 + (i % 211),
  projects_id: 30_000 + (i % 997),
  services_id: 400 + (i % 13),
  time_since: '2025-03-14T08:00:00Z',
  time_until: '2025-03-14T09:30:00Z',
  duration: 5400,
  billable: i % 3 === 0 ? 1 : 0,
  text: `entry ${i}: sprint review and follow-ups`,
}));

/** The page's work: a JSON round trip of 1,000 records (~2 ms), as parsing a response would be. */
export function pageWork(): number {
  return (JSON.parse(JSON.stringify(RECORDS)) as unknown[]).length;
}

/** Where a read stands after `page`: shaped like a page run's heartbeat details (~300 bytes of JSON). */
export interface BenchProgress {
  written: {
    nextPage: number;
    known: number;
    facts: Record<string, number | string | boolean>;
    previousFingerprint: string;
    previousPage: number;
  };
  readThrough: number;
}

export function progressAfter(page: number): BenchProgress {
  return {
    written: {
      nextPage: page + 1,
      known: 100_000,
      facts: {
        pages: page,
        records: page * 1000,
        written: page * 1000,
        unchanged: 0,
        stale: 0,
        quarantined: 0,
        shapeWarnings: 0,
        retries: 0,
        countItemsMin: 100_000_000,
        countItemsMax: 100_000_000,
        complete: true,
        cursorMax: '2025-03-14T09:30:00Z',
      },
      previousFingerprint: `f${String(page).padStart(15, '0')}`,
      previousPage: page,
    },
    readThrough: page,
  };
}

/** One page as an activity (regular or local): the work, then where the read stands. */
export function benchPage(page: number): Promise<BenchProgress> {
  pageWork();
  return Promise.resolve(progressAfter(page));
}

/** Pages `first`.. in order, a heartbeat with the progress after each, as a page run does. */
export async function benchPageRun(first: number, pages: number): Promise<BenchProgress> {
  const ctx = Context.current();
  // A retry goes on after the last page its heartbeat recorded, as the real page run does.
  const resumed = ctx.info.heartbeatDetails as BenchProgress | undefined;
  let progress = resumed ?? progressAfter(first - 1);
  for (let page = progress.readThrough + 1; page < first + pages; page++) {
    pageWork();
    progress = progressAfter(page);
    ctx.heartbeat(progress);
    // The real run awaits a response between pages: other tasks get the event loop meanwhile.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return progress;
}
